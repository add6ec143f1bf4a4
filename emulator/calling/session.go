package calling

import (
	"encoding/json"
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
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
	version      string // api-version of the start request (callbacks' data.version)
	callID       string // also the correlation id
	serverCallID string
	callConnID   string // the call connection the recording id encodes
	startedAt    time.Time
	// activateAt is when media starts flowing (state turns active); zero
	// once it has, or when it never will by itself (pauseOnStart, a pause
	// before it, legacy active-on-start).
	activateAt time.Time
	// mediaStart is the recording's start time (active callbacks'
	// startDateTime, the file's start); zero until media first flows.
	mediaStart time.Time
	state      string
	stoppedAt  time.Time // zero while recording
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

// errNotFound is the recorded answer to a GET after stop: code "8522"
// (the other errors of the recording API are in the package documentation).
func errNotFound(id string, why string) *wire.Error {
	return &wire.Error{Status: http.StatusNotFound, Code: "8522", Message: "Recording not found.",
		Explanation: fmt.Sprintf("recording %q %s", id, why)}
}

func errState(msg string) *wire.Error {
	return &wire.Error{Status: http.StatusBadRequest, Code: "BadRequest", Target: "recordingId", Message: msg}
}

// lookupLocked finds a recording the API can still act on (stopped ones are
// gone) and brings its state up to now (see catchUpLocked).
func (s *Service) lookupLocked(id string, now time.Time) (*session, *wire.Error) {
	sess, ok := s.sessions[id]
	switch {
	case !ok:
		return nil, errNotFound(id, "was never started (or the emulator was reset)")
	case !sess.stoppedAt.IsZero():
		return nil, errNotFound(id, "was stopped at "+sess.stoppedAt.Format(time.RFC3339Nano))
	}
	s.catchUpLocked(sess, now)
	return sess, nil
}

// response is the start and state answer at api-version v.
func (sess *session) response(v string) api.RecordingStateResponse {
	resp := api.RecordingStateResponse{RecordingID: sess.id, RecordingState: sess.state}
	if hasRecordingKind(v) {
		resp.RecordingKind = api.RecordingKindACS
	}
	return resp
}

// startLocked creates a session from p at now and queues its first state
// callback. As recorded, a recording starts "inactive" (callback with a zero
// startDateTime) and turns "active" when media flows, the activation delay
// later; pauseOnStart keeps it inactive. With the legacy ActiveOnStart
// setting it is active at once, with a single callback.
func (s *Service) startLocked(p *plan, version string, now time.Time) (*session, api.RecordingStateResponse) {
	callConn := p.callConnectionID
	if callConn == "" { // the real service has a call connection even for a call locator
		callConn = s.ids.UUID()
	}
	sess := &session{id: s.ids.RecordingIDFor(callConn), gen: s.gen, plan: *p, version: version, callID: s.ids.UUID(),
		serverCallID: p.serverCallID, callConnID: callConn, startedAt: now, state: api.RecordingStateInactive, done: make(chan struct{})}
	switch {
	case p.groupCallID != "":
		sess.callID = p.groupCallID
	case p.roomID != "":
		sess.callID = p.roomID
	}
	if sess.serverCallID == "" {
		sess.serverCallID = s.ids.ServerCallID()
	}
	s.addLocked(sess)
	var resp api.RecordingStateResponse
	switch {
	case p.pauseOnStart:
		sess.mediaStart, sess.pauseStart = now, now
		s.notifyLocked(sess, now, time.Time{})
		resp = sess.response(version)
	case s.settings.ActiveOnStart:
		s.activateLocked(sess, now)
		resp = sess.response(version)
	default:
		s.notifyLocked(sess, now, time.Time{})
		resp = sess.response(version) // inactive, even with no activation delay
		sess.activateAt = now.Add(time.Duration(s.settings.ActivationDelay))
		s.catchUpLocked(sess, now)
		if !sess.activateAt.IsZero() {
			s.scheduleActivation(sess, time.Duration(s.settings.ActivationDelay))
		}
	}
	return sess, resp
}

// activateLocked turns the recording active at at: media flows from then.
func (s *Service) activateLocked(sess *session, at time.Time) {
	sess.activateAt = time.Time{}
	sess.state, sess.activeSince = api.RecordingStateActive, at
	if sess.mediaStart.IsZero() {
		sess.mediaStart = at
	}
	s.notifyLocked(sess, at, sess.mediaStart)
}

// catchUpLocked activates a recording whose activation time has come. Every
// request does it first, so on a manual clock a GET right after Advance sees
// "active" without waiting for the activation goroutine; the activation is
// dated at its due time either way.
func (s *Service) catchUpLocked(sess *session, now time.Time) {
	if !sess.activateAt.IsZero() && !now.Before(sess.activateAt) && sess.stoppedAt.IsZero() {
		s.activateLocked(sess, sess.activateAt)
	}
}

// scheduleActivation activates sess after d of recording-clock time, unless
// a request has done it (or made it moot) before.
func (s *Service) scheduleActivation(sess *session, d time.Duration) {
	if s.closed {
		return
	}
	s.wg.Add(1)
	wait := s.clk.After(d)
	go func() {
		defer s.wg.Done()
		select {
		case <-wait:
			s.mu.Lock()
			if sess.gen == s.gen {
				s.catchUpLocked(sess, s.clk.Now())
			}
			s.mu.Unlock()
		case <-s.ctx.Done():
		}
	}()
}

func (s *Service) pauseLocked(sess *session, now time.Time) *wire.Error {
	if !sess.activateAt.IsZero() {
		// Paused before media flowed (chosen): it stays inactive, as with
		// pauseOnStart; the state does not change, so no callback.
		sess.activateAt, sess.mediaStart, sess.pauseStart = time.Time{}, sess.startedAt, sess.startedAt
		return nil
	}
	if sess.state != api.RecordingStateActive {
		return errState("Recording is already paused.")
	}
	if len(sess.pauses) >= recordings.MaxPauses {
		return errState(fmt.Sprintf("A recording can be paused at most %d times.", recordings.MaxPauses))
	}
	sess.active += now.Sub(sess.activeSince)
	sess.state, sess.pauseStart = api.RecordingStateInactive, now
	s.notifyLocked(sess, now, sess.mediaStart)
	return nil
}

func (s *Service) resumeLocked(sess *session, now time.Time) *wire.Error {
	switch {
	case !sess.activateAt.IsZero(): // resumed before media flowed (chosen): active at once
		s.activateLocked(sess, now)
		return nil
	case sess.state != api.RecordingStateInactive:
		return errState("Recording is already active.")
	}
	sess.closePause(now)
	sess.state, sess.activeSince = api.RecordingStateActive, now
	s.notifyLocked(sess, now, sess.mediaStart)
	return nil
}

// stopLocked ends the recording; the returned session needs processing.
func (s *Service) stopLocked(sess *session, now time.Time) {
	switch {
	case sess.state == api.RecordingStateActive:
		sess.active += now.Sub(sess.activeSince)
	case !sess.mediaStart.IsZero():
		sess.closePause(now)
	}
	sess.activateAt = time.Time{}
	sess.state, sess.stoppedAt = api.RecordingStateInactive, now
	sess.processAt = now.Add(max(s.opts.ProcessingDelay, 0))
	s.notifyLocked(sess, now, sess.mediaStart)
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

// notifyLocked queues a RecordingStateChanged callback for the session's
// current state at now, in the recorded envelope: source and subject
// calling/recordings/{serverCallId}/{recordingId}/RecordingStateChanged.
// startDateTime is the recording's start, or the zero time before media flowed.
func (s *Service) notifyLocked(sess *session, now, startDateTime time.Time) {
	if sess.plan.callbackURI == "" {
		return
	}
	data, _ := json.Marshal(StateChangedData{RecordingID: sess.id, State: sess.state, StartDateTime: Timestamp{startDateTime},
		RecordingKind: api.RecordingKindACS, ResultInformation: ResultInformation{Code: 200},
		Version: sess.version, CallConnectionID: sess.callConnID, ServerCallID: sess.serverCallID,
		CorrelationID: sess.callID, PublicEventType: EventTypeStateChanged})
	source := "calling/recordings/" + sess.serverCallID + "/" + sess.id + "/RecordingStateChanged"
	eventID := s.ids.UUID()
	body, _ := json.Marshal([]CloudEvent{{ID: eventID, Source: source, Type: EventTypeStateChanged, Data: data,
		Time: Timestamp{now}, SpecVersion: "1.0", DataContentType: "application/json", Subject: source}})
	s.cb.enqueue(callback{url: sess.plan.callbackURI, eventID: eventID, body: body, recordingID: sess.id, state: sess.state})
}

// spec is the recording to create for a stopped session.
func (sess *session) spec() recordings.Spec {
	return recordings.Spec{RecordingID: sess.id, Duration: sess.active, Format: sess.plan.format,
		ContentType: sess.plan.contentType, ChannelType: sess.plan.channelType, Participants: sess.plan.participants,
		Pauses: append([]recordings.Pause(nil), sess.pauses...), StartTime: sess.mediaStart.UTC(),
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
		why = "the recording was never active (stopped before media flowed, or paused on start and never resumed), so no file was produced"
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
