package calling

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/wire"
)

// Bounds of the control routes.
const (
	maxWait    = time.Minute
	maxAdvance = 366 * 24 * time.Hour
)

// IsControlPath reports whether a control-plane path (without the /_emulator/
// prefix) belongs to ServeControl.
func IsControlPath(path string) bool {
	return path == "clock" || path == "calls/recordings" || strings.HasPrefix(path, "calls/recordings/")
}

func controlErr(status int, code, format string, args ...any) *wire.Error {
	return &wire.Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ServeControl answers the control routes (path without the /_emulator/ prefix):
//
//	GET  clock                       the recording clock (control.ClockState)
//	POST clock {"advance":"2h"}      move it forward
//	GET  calls/recordings            every Call Automation recording (control.CallRecording)
//	GET  calls/recordings/{id}[?wait=10s]  one, optionally waiting until it is processed
//
// It returns a status and a value to encode as JSON, or an error in the control shape.
func (s *Service) ServeControl(r *http.Request, path string) (int, any, error) {
	switch {
	case path == "clock" && r.Method == http.MethodGet:
		return http.StatusOK, s.clockState(), nil
	case path == "clock" && r.Method == http.MethodPost:
		var in control.ClockAdvance
		if err := decodeControl(r, &in, `{"advance":"2h"}`); err != nil {
			return 0, nil, err
		}
		if d := time.Duration(in.Advance); d <= 0 || d > maxAdvance {
			return 0, nil, controlErr(http.StatusBadRequest, "BadRequest", "advance: must be more than 0 and at most %s (time never goes back), got %s", maxAdvance, d)
		}
		s.Advance(time.Duration(in.Advance))
		return http.StatusOK, s.clockState(), nil
	case path == "clock":
		return 0, nil, controlErr(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here; use GET or POST", r.Method)
	case r.Method != http.MethodGet:
		return 0, nil, controlErr(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here; use GET", r.Method)
	case path == "calls/recordings":
		return http.StatusOK, s.Recordings(), nil
	}
	id := strings.TrimPrefix(path, "calls/recordings/")
	var wait time.Duration
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > maxWait {
			return 0, nil, controlErr(http.StatusBadRequest, "BadRequest", "wait: use a duration between 0 and %s, got %q", maxWait, v)
		}
		wait = d
	}
	s.mu.Lock()
	sess, ok := s.sessions[id]
	s.mu.Unlock()
	if !ok {
		return 0, nil, controlErr(http.StatusNotFound, "NotFound", "no Call Automation recording %q", id)
	}
	if wait > 0 {
		t := time.NewTimer(wait) // a real-time bound on the HTTP request, not emulated time
		defer t.Stop()
		select {
		case <-sess.done:
		case <-t.C:
		case <-r.Context().Done():
		case <-s.ctx.Done():
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	s.catchUpLocked(sess, now)
	return http.StatusOK, sess.view(now), nil
}

// decodeControl decodes a bounded control-plane JSON body; example shows a good one.
func decodeControl(r *http.Request, v any, example string) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return controlErr(http.StatusBadRequest, "BadRequest", "invalid JSON body: %v (send %s)", err, example)
	}
	return nil
}

// Recordings describes every Call Automation recording, oldest first, as
// GET /_emulator/calls/recordings does.
func (s *Service) Recordings() []control.CallRecording {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	out := make([]control.CallRecording, 0, len(s.order))
	for _, id := range s.order {
		if sess := s.sessions[id]; sess != nil {
			s.catchUpLocked(sess, now)
			out = append(out, sess.view(now))
		}
	}
	return out
}

// ClockState is the recording clock, as GET /_emulator/clock reports it.
func (s *Service) ClockState() control.ClockState { return s.clockState() }

func (s *Service) clockState() control.ClockState {
	st := control.ClockState{Now: s.clk.Now().UTC(), Manual: s.manual != nil, ProcessingDelay: control.Duration(max(s.opts.ProcessingDelay, 0))}
	if s.offset != nil {
		st.Offset = control.Duration(s.offset.Offset())
	}
	return st
}

// view describes the session at now; the caller holds Service.mu.
func (sess *session) view(now time.Time) control.CallRecording {
	p := &sess.plan
	v := control.CallRecording{RecordingID: sess.id, State: sess.state, Stopped: !sess.stoppedAt.IsZero(),
		CallID: sess.callID, ServerCallID: sess.serverCallID, GroupCallID: p.groupCallID, RoomID: p.roomID,
		CallConnectionID: sess.callConnID, CallbackURI: p.callbackURI, ContentType: p.contentType,
		ChannelType: p.channelType, Format: p.format, Participants: append([]string{}, p.participants...),
		PauseOnStart: p.pauseOnStart, ExternalStorageKind: p.storageKind, ExternalStorageURL: p.storageURL,
		StartTime: cmpOr(sess.mediaStart, sess.startedAt).UTC(), Pauses: []control.Pause{}, Processed: !sess.processedAt.IsZero(), Error: sess.err}
	active := sess.active
	if v.Stopped {
		stop, due := sess.stoppedAt.UTC(), sess.processAt.UTC()
		v.StopTime, v.ProcessAt = &stop, &due
	} else if sess.state == StateActive {
		active += now.Sub(sess.activeSince)
	}
	v.ActiveDurationMs = active.Milliseconds()
	for _, ps := range sess.pauses {
		v.Pauses = append(v.Pauses, control.Pause{At: control.Duration(ps.At), Duration: control.Duration(ps.Duration)})
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
