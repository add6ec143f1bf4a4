package calling

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
)

// Plan is a whole call to play against an emulator.
type Plan struct {
	// Duration is the recorded (active) time.
	Duration time.Duration
	// Pauses happen at active offsets (0 < At <= Duration) and last Duration
	// each; they must not overlap in active time (two at the same At are one).
	Pauses []api.Pause
	// Start is the start request; a missing call locator gets a fresh
	// serverCallLocator. PauseOnStart is not supported by Simulate.
	Start api.StartRecordingRequest
}

// SimulateResult is what a simulated call left behind.
type SimulateResult struct {
	// Call is the Call Automation view (states, pauses, processing).
	Call api.CallRecording `json:"call"`
	// Recording is the finished recording, with its documents.
	Recording api.Recording `json:"recording"`
}

// Simulate plays a call: it starts a recording through ca, advances the
// emulator's recording clock through ctl, pauses and resumes as planned,
// stops, lets the processing delay pass and returns the finished recording.
// ca must sign with the emulator's access key and, when the emulator runs on
// a manual clock, with that clock (signer.WithClock).
func Simulate(ctx context.Context, ca *Client, ctl *control.Client, p Plan) (SimulateResult, error) {
	var res SimulateResult
	if p.Duration <= 0 {
		return res, errors.New("simulate: the duration must be positive")
	}
	if p.Start.PauseOnStart != nil && *p.Start.PauseOnStart {
		return res, errors.New("simulate: pauseOnStart is not supported; plan a pause at 0 instead")
	}
	pauses := slices.Clone(p.Pauses)
	slices.SortStableFunc(pauses, func(a, b api.Pause) int { return cmp.Compare(a.At, b.At) })
	for _, ps := range pauses {
		if ps.At < 0 || time.Duration(ps.At) > p.Duration || ps.Duration <= 0 {
			return res, fmt.Errorf("simulate: pause %s@%s must start within 0..%s and last more than 0", time.Duration(ps.Duration), time.Duration(ps.At), p.Duration)
		}
	}
	if p.Start.CallLocator == nil && p.Start.CallConnectionID == "" {
		p.Start.CallLocator = &api.CallLocator{ServerCallID: "acsemu-simulated-" + randomUUID(), Kind: api.LocatorServerCall}
	}
	advance := func(d time.Duration) error {
		if d <= 0 {
			return nil
		}
		_, err := ctl.AdvanceClock(ctx, d)
		return err
	}
	settings, err := ctl.CallSettings(ctx)
	if err != nil {
		return res, err
	}
	started, err := ca.Start(ctx, p.Start)
	if err != nil {
		return res, err
	}
	id := started.RecordingID
	// The recording is "inactive" until media flows, the activation delay later.
	if !settings.ActiveOnStart {
		if err := advance(time.Duration(settings.ActivationDelay)); err != nil {
			return res, err
		}
	}
	var at time.Duration
	for _, ps := range pauses {
		if err := advance(time.Duration(ps.At) - at); err != nil {
			return res, err
		}
		if err := ca.Pause(ctx, id); err != nil {
			return res, err
		}
		if err := advance(time.Duration(ps.Duration)); err != nil {
			return res, err
		}
		if err := ca.Resume(ctx, id); err != nil {
			return res, err
		}
		at = time.Duration(ps.At)
	}
	if err := advance(p.Duration - at); err != nil {
		return res, err
	}
	if err := ca.Stop(ctx, id); err != nil {
		return res, err
	}
	call, err := ctl.CallRecording(ctx, id, 0)
	if err != nil {
		return res, err
	}
	if call.ProcessAt != nil && !call.Processed {
		clk, err := ctl.Clock(ctx)
		if err != nil {
			return res, err
		}
		if err := advance(call.ProcessAt.Sub(clk.Now)); err != nil {
			return res, err
		}
	}
	for !call.Processed {
		if call, err = ctl.CallRecording(ctx, id, 10*time.Second); err != nil {
			return res, err
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	res.Call = call
	if call.Error != "" {
		return res, fmt.Errorf("simulate: recording %s produced no file: %s", id, call.Error)
	}
	res.Recording, err = ctl.Recording(ctx, id)
	return res, err
}
