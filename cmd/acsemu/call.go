package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"io"
	"strings"
	"time"

	"github.com/acsemu/acsemu/client/calling"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// callSimulate plays a whole call against a running emulator: start, pauses,
// resumes and stop through the signed Call Automation API, with the emulator's
// recording clock advanced in between, then prints the finished recording.
func callSimulate(ctx context.Context, fs *flag.FlagSet, args []string, env func(string) string, newClient func() (*control.Client, error), stdout io.Writer) error {
	var pauses pauseList
	var req api.StartRecordingRequest
	dur := fs.Duration("duration", 2*time.Minute, "recorded (active) time, pauses excluded")
	fs.Var(&pauses, "pause", "a pause DURATION@AT of recorded time, e.g. 10m@30m (repeatable)")
	fs.StringVar(&req.RecordingFormatType, "format", "", "wav, mp3 or mp4 (default: the service's, from content and channels)")
	fs.StringVar(&req.RecordingContentType, "content", "", "audio or audioVideo (default: audio for wav/mp3, else audioVideo)")
	fs.StringVar(&req.RecordingChannelType, "channels", "mixed", "mixed or unmixed (one channel per participant, wav only)")
	count := fs.Int("participants", 2, "participants, sent as audioChannelParticipantOrdering")
	fs.StringVar(&req.RecordingStateCallbackURI, "callback", "", "recordingStateCallbackUri receiving RecordingStateChanged")
	serverCall := fs.String("server-call-id", "", "serverCallId of the call (default: a fresh one)")
	cs := fs.String("connection-string", env("ACSEMU_CONNECTION_STRING"), "connection string to sign with (ACSEMU_CONNECTION_STRING; default: the emulator's own, from its config)")
	apiVersion := fs.String("api-version", api.CallAutomationAPIVersion, "api-version of the Call Automation requests")
	jsonOut := fs.Bool("json", false, "print the Call Automation view and the recording as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("call simulate: unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *count < 0 || *count > recordings.MaxParticipants {
		return fmt.Errorf("--participants: between 0 and %d", recordings.MaxParticipants)
	}
	for i := range *count {
		id := fmt.Sprintf("8:acs:acsemu-simulated_%08d-0000-4000-8000-%012d", i+1, i+1)
		req.AudioChannelParticipantOrdering = append(req.AudioChannelParticipantOrdering, calling.CommunicationUser(id))
	}
	if *serverCall != "" {
		req.CallLocator = &api.CallLocator{ServerCallID: *serverCall, Kind: api.LocatorServerCall}
	}
	ctl, err := newClient()
	if err != nil {
		return err
	}
	conn := *cs
	if conn == "" {
		cfg, err := ctl.Config(ctx)
		if err != nil {
			return err
		}
		if cfg.CustomAccessKey {
			return errors.New("the emulator uses a custom access key, which its control plane does not reveal: pass --connection-string")
		}
		conn = cfg.ConnectionString
	}
	parsed, err := signer.ParseConnectionString(conn)
	if err != nil {
		return fmt.Errorf("--connection-string: %w", err)
	}
	clk, err := ctl.Clock(ctx)
	if err != nil {
		return err
	}
	if clk.Manual {
		return errors.New("call simulate: the emulator runs on a manual clock; drive it from Go with client/calling.Simulate and a signer using that clock")
	}
	ca := &calling.Client{Endpoint: parsed.Endpoint.String(), HTTP: signer.New(parsed).Client(), APIVersion: *apiVersion}
	plan := calling.Plan{Duration: *dur, Start: req, Pauses: pauses}
	res, err := calling.Simulate(ctx, ca, ctl, plan)
	if err != nil {
		return err
	}
	if *jsonOut {
		return printJSON(stdout, res)
	}
	c, r := res.Call, res.Recording
	fmt.Fprintf(stdout, "recording %s\n", r.ID)
	fmt.Fprintf(stdout, "  %s %s %s, %d participants, recorded %s from %s to %s\n", c.ContentType, c.ChannelType, c.Format,
		len(r.Participants), time.Duration(r.DurationMs)*time.Millisecond, c.StartTime.Format(time.RFC3339), c.StopTime.Format(time.RFC3339))
	for _, p := range c.Pauses {
		// Rounded: in wall-clock mode each request adds microseconds of real time.
		fmt.Fprintf(stdout, "  paused %s at %s\n", time.Duration(p.Duration).Round(time.Millisecond), time.Duration(p.At).Round(time.Millisecond))
	}
	for _, d := range r.Documents {
		fmt.Fprintf(stdout, "  chunk %d %s: %s, %d bytes, %s\n    %s\n", d.Index, d.ID, time.Duration(d.DurationMs)*time.Millisecond, d.Size, d.EndReason, d.ContentLocation)
	}
	return nil
}
