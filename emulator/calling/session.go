package calling

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/wire"
)

// session is one recording started through the API. Its fields are guarded
// by Service.mu.
type session struct {
	id           string
	gen          int
	plan         plan
	callID       string // also the correlation id
	serverCallID string
	startedAt    time.Time
	state        string
	stoppedAt    time.Time // zero while recording
	// active is the recorded time before activeSince (or all of it once stopped).
	active      time.Duration
	activeSince time.Time
	pauseStart  time.Time // when the current pause began (state inactive)
	pauses      []recordings.Pause
	processAt   time.Time // when the file is due (set at stop)
	processedAt time.Time // when processing ended (file created or failed)
	err         string    // why no file was created
	done        chan struct{}
}

// Errors of the recording API (see the package documentation).
func errNotFound(id string, why string) *wire.Error {
	return &wire.Error{Status: http.StatusNotFound, Code: "NotFound", Message: "Recording not found.",
		Explanation: fmt.Sprintf("recording %q %s", id, why)}
}

func errState(msg string) *wire.Error {
	return &wire.Error{Status: http.StatusBadRequest, Code: "BadRequest", Target: "recordingId", Message: msg}
}

// lookupLocked finds a recording the API can still act on: stopped ones are gone.
func (s *Service) lookupLocked(id string) (*session, *wire.Error) {
	sess, ok := s.sessions[id]
	switch {
	case !ok:
		return nil, errNotFound(id, "was never started (or the emulator was reset)")
	case !sess.stoppedAt.IsZero():
		return nil, errNotFound(id, "was stopped at "+sess.stoppedAt.Format(time.RFC3339Nano))
	}
	return sess, nil
}

func (sess *session) response() StateResponse {
	return StateResponse{RecordingID: sess.id, RecordingState: sess.state, RecordingKind: KindAzureCommunicationServices}
}

// startLocked creates a session from p at now and queues its first state callback.
func (s *Service) startLocked(p *plan, now time.Time) *session {
	sess := &session{id: s.ids.RecordingID(), gen: s.gen, plan: *p, callID: s.ids.UUID(), serverCallID: p.serverCallID,
		startedAt: now, state: StateActive, activeSince: now, done: make(chan struct{})}
	switch {
	case p.groupCallID != "":
		sess.callID = p.groupCallID
	case p.roomID != "":
		sess.callID = p.roomID
	}
	if sess.serverCallID == "" {
		sess.serverCallID = s.ids.ServerCallID()
	}
	if p.pauseOnStart {
		sess.state, sess.pauseStart = StateInactive, now
	}
	s.addLocked(sess)
	s.notifyLocked(sess, now)
	return sess
}

func (s *Service) pauseLocked(sess *session, now time.Time) *wire.Error {
	if sess.state != StateActive {
		return errState("Recording is already paused.")
	}
	if len(sess.pauses) >= recordings.MaxPauses {
		return errState(fmt.Sprintf("A recording can be paused at most %d times.", recordings.MaxPauses))
	}
	sess.active += now.Sub(sess.activeSince)
	sess.state, sess.pauseStart = StateInactive, now
	s.notifyLocked(sess, now)
	return nil
}

func (s *Service) resumeLocked(sess *session, now time.Time) *wire.Error {
	if sess.state != StateInactive {
		return errState("Recording is already active.")
	}
	sess.closePause(now)
	sess.state, sess.activeSince = StateActive, now
	s.notifyLocked(sess, now)
	return nil
}

// stopLocked ends the recording; the returned session needs processing.
func (s *Service) stopLocked(sess *session, now time.Time) {
	if sess.state == StateActive {
		sess.active += now.Sub(sess.activeSince)
	} else {
		sess.closePause(now)
	}
	sess.state, sess.stoppedAt = StateInactive, now
	sess.processAt = now.Add(max(s.opts.ProcessingDelay, 0))
	s.notifyLocked(sess, now)
}

// closePause records the pause that began at pauseStart. Zero-length pauses
// (pause and resume at the same clock instant) leave no trace; a pause right
// after another with no recorded time between them extends it.
func (sess *session) closePause(now time.Time) {
	d := now.Sub(sess.pauseStart)
	if d <= 0 {
		return
	}
	if n := len(sess.pauses); n > 0 && sess.pauses[n-1].At == sess.active {
		sess.pauses[n-1].Duration += d
		return
	}
	sess.pauses = append(sess.pauses, recordings.Pause{At: sess.active, Duration: d})
}

// notifyLocked queues a RecordingStateChanged callback for the session's current state.
func (s *Service) notifyLocked(sess *session, now time.Time) {
	if sess.plan.callbackURI == "" {
		return
	}
	data, _ := json.Marshal(StateChangedData{RecordingID: sess.id, State: sess.state, StartDateTime: sess.startedAt.UTC(),
		RecordingKind: KindAzureCommunicationServices, CallConnectionID: sess.plan.callConnectionID,
		ServerCallID: sess.serverCallID, CorrelationID: sess.callID, ResultInformation: ResultInformation{Code: 200}})
	source := "calling/recordings/" + sess.id
	body, _ := json.Marshal([]CloudEvent{{ID: s.ids.UUID(), Source: source, Type: EventTypeStateChanged, Data: data,
		Time: now.UTC(), SpecVersion: "1.0", DataContentType: "application/json", Subject: source}})
	s.cb.enqueue(callback{url: sess.plan.callbackURI, body: body, recordingID: sess.id, state: sess.state})
}

// spec is the recording to create for a stopped session.
func (sess *session) spec() recordings.Spec {
	return recordings.Spec{RecordingID: sess.id, Duration: sess.active, Format: sess.plan.format,
		ContentType: sess.plan.contentType, ChannelType: sess.plan.channelType, Participants: sess.plan.participants,
		Pauses: append([]recordings.Pause(nil), sess.pauses...), StartTime: sess.startedAt.UTC(),
		CallID: sess.callID, ServerCallID: sess.serverCallID}
}

// process creates and publishes the recording of a stopped session, unless
// the emulator was reset since.
func (s *Service) process(sess *session) {
	s.mu.Lock()
	if sess.gen != s.gen || !sess.processedAt.IsZero() {
		s.mu.Unlock()
		return
	}
	spec, active := sess.spec(), sess.active
	s.mu.Unlock()
	var why string
	if active <= 0 {
		why = "the recording was never active (paused on start and never resumed), so no file was produced"
	} else if rec, err := s.opts.Store.Create(spec); err != nil {
		why = "creating the recording failed: " + err.Error()
	} else if s.opts.Publish != nil {
		if err := s.opts.Publish(s.ctx, rec); err != nil {
			why = "publishing RecordingFileStatusUpdated failed: " + err.Error()
		}
	}
	if why != "" {
		s.log.Warn("call recording produced no file event", "recordingId", sess.id, "why", why)
	}
	s.mu.Lock()
	sess.err, sess.processedAt = why, s.clk.Now()
	s.mu.Unlock()
	close(sess.done)
}

// schedule processes a stopped session after the processing delay of recording-clock time.
func (s *Service) schedule(sess *session) {
	if s.opts.ProcessingDelay <= 0 {
		s.process(sess)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	wait := s.clk.After(s.opts.ProcessingDelay)
	go func() {
		defer s.wg.Done()
		select {
		case <-wait:
			s.process(sess)
		case <-s.ctx.Done():
		}
	}()
}
