package calling

import (
	"context"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/wire"
)

// MaxAdvance bounds one move of the recording clock.
const MaxAdvance = 366 * 24 * time.Hour

// AdvanceClock moves the recording clock forward by d (0 < d <= MaxAdvance:
// time never goes back) and answers its new state.
func (s *Service) AdvanceClock(d time.Duration) (api.ClockState, error) {
	if d <= 0 || d > MaxAdvance {
		return api.ClockState{}, wire.Errorf(http.StatusBadRequest, "BadRequest", "advance: must be more than 0 and at most %s (time never goes back), got %s", MaxAdvance, d)
	}
	s.Advance(d)
	return s.ClockState(), nil
}

// Recordings lists every Call Automation recording, oldest first.
func (s *Service) Recordings() []api.CallRecording {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	out := make([]api.CallRecording, 0, len(s.order))
	for _, id := range s.order {
		if sess := s.sessions[id]; sess != nil {
			s.catchUpLocked(sess, now)
			out = append(out, sess.view(now))
		}
	}
	return out
}

// Recording answers one recording; with wait > 0 it first waits (real time,
// a bound on the HTTP request, not emulated time) until the recording is
// processed, wait passes or ctx ends.
func (s *Service) Recording(ctx context.Context, id string, wait time.Duration) (api.CallRecording, error) {
	s.mu.Lock()
	sess, ok := s.sessions[id]
	s.mu.Unlock()
	if !ok {
		return api.CallRecording{}, wire.Errorf(http.StatusNotFound, "NotFound", "no Call Automation recording %q", id)
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-sess.done:
		case <-t.C:
		case <-ctx.Done():
		case <-s.ctx.Done():
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	s.catchUpLocked(sess, now)
	return sess.view(now), nil
}

// ClockState is the recording clock as GET /_emulator/clock answers it.
func (s *Service) ClockState() api.ClockState {
	_, manual := s.clk.(*clock.Manual)
	st := api.ClockState{Now: s.clk.Now().UTC(), Manual: manual, ProcessingDelay: api.Duration(max(s.opts.ProcessingDelay, 0))}
	if o, ok := s.clk.(*clock.Offset); ok {
		st.Offset = api.Duration(o.Offset())
	}
	return st
}

// view describes the session at now; the caller holds Service.mu.
func (sess *session) view(now time.Time) api.CallRecording {
	p := &sess.plan
	v := api.CallRecording{RecordingID: sess.id, State: sess.state, Stopped: !sess.stoppedAt.IsZero(),
		CallID: sess.callID, ServerCallID: sess.serverCallID, GroupCallID: p.groupCallID, RoomID: p.roomID,
		CallConnectionID: sess.callConnID, CallbackURI: p.callbackURI, ContentType: p.contentType,
		ChannelType: p.channelType, Format: p.format, Participants: append([]string{}, p.participants...),
		PauseOnStart: p.pauseOnStart, ExternalStorageKind: p.storageKind, ExternalStorageURL: p.storageURL,
		StartTime: cmpOr(sess.mediaStart, sess.startedAt).UTC(), Pauses: []api.Pause{}, Processed: !sess.processedAt.IsZero(), Error: sess.err}
	active := sess.active
	if v.Stopped {
		stop, due := sess.stoppedAt.UTC(), sess.processAt.UTC()
		v.StopTime, v.ProcessAt = &stop, &due
	} else if sess.state == api.RecordingStateActive {
		active += now.Sub(sess.activeSince)
	}
	v.ActiveDurationMs = active.Milliseconds()
	for _, ps := range sess.pauses {
		v.Pauses = append(v.Pauses, api.Pause{At: api.Duration(ps.At), Duration: api.Duration(ps.Duration)})
	}
	return v
}

// cmpOr is a unless it is the zero time, else b.
func cmpOr(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return a
}
