package api

import "time"

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
