package control

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// ClockState is the emulator's recording clock, as GET /_emulator/clock reports it.
type ClockState struct {
	// Now is the recording clock's time.
	Now time.Time `json:"now"`
	// Manual is true when the emulator runs on a manual clock: advancing it
	// moves all of the emulator's time (signatures, journal, Event Grid).
	// Otherwise only the recording clock moves, as an offset over the wall clock.
	Manual bool `json:"manual"`
	// Offset is how far the recording clock runs ahead of the wall clock (0 with a manual clock).
	Offset Duration `json:"offset"`
	// ProcessingDelay is the recording-clock time between stop and the file event.
	ProcessingDelay Duration `json:"processingDelay"`
}

// CallSettings are the Call Automation settings (GET and PUT /_emulator/calls/settings).
type CallSettings struct {
	// ActivationDelay is the recording-clock time a started recording stays
	// "inactive" before media flows and it turns "active" (the real service
	// takes a few seconds). 0 turns it active right after the "inactive"
	// answer and callback.
	ActivationDelay Duration `json:"activationDelay"`
	// ActiveOnStart restores the emulator's behaviour before it reproduced
	// recorded traffic: start answers "active" with a single "active" callback.
	ActiveOnStart bool `json:"activeOnStart,omitempty"`
}

// ClockAdvance is the body of POST /_emulator/clock.
type ClockAdvance struct {
	Advance Duration `json:"advance"`
}

// CallRecording is a recording started through the Call Automation API.
// CallConnectionID is the start request's, or the one the emulator made up
// for a call locator; the recording id encodes it.
type CallRecording struct {
	RecordingID      string `json:"recordingId"`
	State            string `json:"state"`
	Stopped          bool   `json:"stopped"`
	CallID           string `json:"callId"`
	ServerCallID     string `json:"serverCallId"`
	GroupCallID      string `json:"groupCallId,omitempty"`
	RoomID           string `json:"roomId,omitempty"`
	CallConnectionID string `json:"callConnectionId,omitempty"`
	CallbackURI      string `json:"recordingStateCallbackUri,omitempty"`
	ContentType      string `json:"contentType"`
	ChannelType      string `json:"channelType"`
	Format           string `json:"format"`
	// Participants in channel order (unmixed audio: channel = index).
	Participants        []string   `json:"participants"`
	PauseOnStart        bool       `json:"pauseOnStart,omitempty"`
	ExternalStorageKind string     `json:"externalStorageKind,omitempty"`
	ExternalStorageURL  string     `json:"externalStorageUrl,omitempty"`
	StartTime           time.Time  `json:"startTime"`
	StopTime            *time.Time `json:"stopTime,omitempty"`
	// ActiveDurationMs is the recorded time so far (pauses excluded).
	ActiveDurationMs int64 `json:"activeDurationMs"`
	// Pauses are at active (recorded) offsets, as the finished recording lists them.
	Pauses []Pause `json:"pauses"`
	// ProcessAt is when the file is due (stopped recordings).
	ProcessAt *time.Time `json:"processAt,omitempty"`
	// Processed is true once processing ended: the recording (same id) exists
	// in the store and its event was published, unless Error says why not.
	Processed bool   `json:"processed"`
	Error     string `json:"error,omitempty"`
}

// Clock returns the recording clock.
func (c *Client) Clock(ctx context.Context) (ClockState, error) {
	var st ClockState
	return st, c.do(ctx, http.MethodGet, "clock", nil, nil, &st)
}

// AdvanceClock moves the recording clock forward by d (see ClockState.Manual).
func (c *Client) AdvanceClock(ctx context.Context, d time.Duration) (ClockState, error) {
	var st ClockState
	return st, c.do(ctx, http.MethodPost, "clock", nil, ClockAdvance{Advance: Duration(d)}, &st)
}

// CallSettings returns the Call Automation settings.
func (c *Client) CallSettings(ctx context.Context) (CallSettings, error) {
	var out CallSettings
	return out, c.do(ctx, http.MethodGet, "calls/settings", nil, nil, &out)
}

// SetCallSettings replaces the Call Automation settings for recordings started from now on.
func (c *Client) SetCallSettings(ctx context.Context, in CallSettings) (CallSettings, error) {
	var out CallSettings
	return out, c.do(ctx, http.MethodPut, "calls/settings", nil, in, &out)
}

// CallRecordings lists the recordings started through the Call Automation API.
func (c *Client) CallRecordings(ctx context.Context) ([]CallRecording, error) {
	var out []CallRecording
	return out, c.do(ctx, http.MethodGet, "calls/recordings", nil, nil, &out)
}

// CallRecording returns one Call Automation recording. With wait > 0 the
// emulator holds the answer until the recording is processed or wait (real
// time, at most a minute) has passed.
func (c *Client) CallRecording(ctx context.Context, id string, wait time.Duration) (CallRecording, error) {
	var q url.Values
	if wait > 0 {
		q = url.Values{"wait": {wait.String()}}
	}
	var out CallRecording
	return out, c.do(ctx, http.MethodGet, "calls/recordings/"+url.PathEscape(id), q, nil, &out)
}
