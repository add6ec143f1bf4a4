package calling

import "encoding/json"

// EventTypeStateChanged is the CloudEvents type of a recording state callback.
const EventTypeStateChanged = "Microsoft.Communication.RecordingStateChanged"

// ResultInformation is the outcome carried by a callback event.
type ResultInformation struct {
	Code    int    `json:"code"`
	SubCode int    `json:"subCode"`
	Message string `json:"message"`
}

// StateChangedData is the data of a RecordingStateChanged event, with the
// recorded fields: startDateTime is the zero time in the first "inactive"
// callback, version the api-version of the start request, callConnectionId
// present even when the recording was started with a call locator.
type StateChangedData struct {
	RecordingID       string            `json:"recordingId"`
	State             string            `json:"state"`
	StartDateTime     Timestamp         `json:"startDateTime"`
	RecordingKind     string            `json:"recordingKind"`
	ResultInformation ResultInformation `json:"resultInformation"`
	Version           string            `json:"version"`
	CallConnectionID  string            `json:"callConnectionId"`
	ServerCallID      string            `json:"serverCallId"`
	CorrelationID     string            `json:"correlationId"`
	PublicEventType   string            `json:"publicEventType"`
}

// CloudEvent is one CloudEvents 1.0 event as posted to a callback URI (in an array).
type CloudEvent struct {
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Data            json.RawMessage `json:"data"`
	Time            Timestamp       `json:"time"`
	SpecVersion     string          `json:"specversion"`
	DataContentType string          `json:"datacontenttype"`
	Subject         string          `json:"subject"`
}
