package api

// The Call Automation recording API's wire types (the data plane at
// CallRecordingPath, as the official SDKs speak it), shared by the emulator's
// Call Automation service (emulator/calling) and its client (client/calling).

// CallRecordingPath is the path of the recording API on the emulated endpoint.
const CallRecordingPath = "/calling/recordings"

// CallAutomationAPIVersion is the api-version the Call Automation client sends (the JS SDK's current one).
const CallAutomationAPIVersion = "2026-03-12"

// Repeatability headers (OASIS Repeatable Requests, as the SDKs send them on start).
const (
	HeaderRepeatabilityRequestID = "Repeatability-Request-ID"
	HeaderRepeatabilityFirstSent = "Repeatability-First-Sent"
	HeaderRepeatabilityResult    = "Repeatability-Result"
)

// Recording states and kinds, spelled as the service spells them.
const (
	RecordingStateActive   = "active"
	RecordingStateInactive = "inactive"

	RecordingKindACS = "azureCommunicationServices"
)

// Call locator kinds.
const (
	LocatorServerCall = "serverCallLocator"
	LocatorGroupCall  = "groupCallLocator"
	LocatorRoomCall   = "roomCallLocator"
)

// Recording storage kinds (externalStorage.recordingStorageKind).
const (
	RecordingStorageACS  = "azureCommunicationServices"
	RecordingStorageBlob = "azureBlobStorage"
)

// StartRecordingRequest is the body of POST /calling/recordings (StartCallRecordingRequest).
// Enum fields are strings so that a bad value can be reported by name.
type StartRecordingRequest struct {
	CallLocator                     *CallLocator      `json:"callLocator,omitempty"`
	CallConnectionID                string            `json:"callConnectionId,omitempty"`
	RecordingStateCallbackURI       string            `json:"recordingStateCallbackUri,omitempty"`
	RecordingContentType            string            `json:"recordingContentType,omitempty"`
	RecordingChannelType            string            `json:"recordingChannelType,omitempty"`
	RecordingFormatType             string            `json:"recordingFormatType,omitempty"`
	AudioChannelParticipantOrdering []Identifier      `json:"audioChannelParticipantOrdering,omitempty"`
	ChannelAffinity                 []ChannelAffinity `json:"channelAffinity,omitempty"`
	PauseOnStart                    *bool             `json:"pauseOnStart,omitempty"`
	ExternalStorage                 *ExternalStorage  `json:"externalStorage,omitempty"`
}

// CallLocator names the call to record: exactly one of the ids, and its kind.
type CallLocator struct {
	ServerCallID string `json:"serverCallId,omitempty"`
	GroupCallID  string `json:"groupCallId,omitempty"`
	RoomID       string `json:"roomId,omitempty"`
	Kind         string `json:"kind,omitempty"`
}

// Identifier is a CommunicationIdentifierModel: a raw id and/or one typed identity.
type Identifier struct {
	Kind               string          `json:"kind,omitempty"`
	RawID              string          `json:"rawId,omitempty"`
	CommunicationUser  *IDModel        `json:"communicationUser,omitempty"`
	PhoneNumber        *PhoneModel     `json:"phoneNumber,omitempty"`
	MicrosoftTeamsUser *TeamsUserModel `json:"microsoftTeamsUser,omitempty"`
	MicrosoftTeamsApp  *TeamsAppModel  `json:"microsoftTeamsApp,omitempty"`
}

// IDModel is a CommunicationUserIdentifierModel.
type IDModel struct {
	ID string `json:"id"`
}

// PhoneModel is a PhoneNumberIdentifierModel.
type PhoneModel struct {
	Value string `json:"value"`
}

// TeamsUserModel is a MicrosoftTeamsUserIdentifierModel.
type TeamsUserModel struct {
	UserID      string `json:"userId"`
	IsAnonymous bool   `json:"isAnonymous,omitempty"`
	Cloud       string `json:"cloud,omitempty"`
}

// TeamsAppModel is a MicrosoftTeamsAppIdentifierModel.
type TeamsAppModel struct {
	AppID string `json:"appId"`
	Cloud string `json:"cloud,omitempty"`
}

// ChannelAffinity pins a participant to an audio channel of an unmixed recording.
type ChannelAffinity struct {
	Channel     *int        `json:"channel,omitempty"`
	Participant *Identifier `json:"participant,omitempty"`
}

// ExternalStorage is where the service would write the file ("bring your own storage").
type ExternalStorage struct {
	RecordingStorageKind             string `json:"recordingStorageKind,omitempty"`
	RecordingDestinationContainerURL string `json:"recordingDestinationContainerUrl,omitempty"`
}

// RecordingStateResponse is the body of start and of GET /calling/recordings/{id}.
// recordingKind is absent at api-version 2023-10-15 and older (recorded).
type RecordingStateResponse struct {
	RecordingID    string `json:"recordingId"`
	RecordingState string `json:"recordingState"`
	RecordingKind  string `json:"recordingKind,omitempty"`
}
