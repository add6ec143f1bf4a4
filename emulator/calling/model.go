package calling

import "encoding/json"

// Recording states and kinds, spelled as the service spells them.
const (
	StateActive   = "active"
	StateInactive = "inactive"

	KindAzureCommunicationServices = "azureCommunicationServices"
)

// Call locator kinds.
const (
	LocatorServerCall = "serverCallLocator"
	LocatorGroupCall  = "groupCallLocator"
	LocatorRoomCall   = "roomCallLocator"
)

// Recording storage kinds (externalStorage.recordingStorageKind).
const (
	StorageACS  = "azureCommunicationServices"
	StorageBlob = "azureBlobStorage"
)

// EventTypeStateChanged is the CloudEvents type of a recording state callback.
const EventTypeStateChanged = "Microsoft.Communication.RecordingStateChanged"

// StartRequest is the body of POST /calling/recordings (StartCallRecordingRequest).
// Enum fields are strings so that a bad value can be reported by name.
type StartRequest struct {
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

// CommunicationUser returns the identifier the JS SDK sends for an ACS user id ("8:acs:...").
func CommunicationUser(id string) Identifier {
	return Identifier{Kind: "communicationUser", RawID: id, CommunicationUser: &IDModel{ID: id}}
}

// raw is the identifier's raw id, as the recording metadata lists participants.
func (id Identifier) raw() string {
	switch {
	case id.RawID != "":
		return id.RawID
	case id.CommunicationUser != nil && id.CommunicationUser.ID != "":
		return id.CommunicationUser.ID
	case id.PhoneNumber != nil && id.PhoneNumber.Value != "":
		return "4:" + id.PhoneNumber.Value
	case id.MicrosoftTeamsUser != nil && id.MicrosoftTeamsUser.UserID != "":
		return "8:orgid:" + id.MicrosoftTeamsUser.UserID
	case id.MicrosoftTeamsApp != nil && id.MicrosoftTeamsApp.AppID != "":
		return "28:orgid:" + id.MicrosoftTeamsApp.AppID
	}
	return ""
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

// StateResponse is the body of start and of GET /calling/recordings/{id}.
// recordingKind is absent at api-version 2023-10-15 and older (recorded).
type StateResponse struct {
	RecordingID    string `json:"recordingId"`
	RecordingState string `json:"recordingState"`
	RecordingKind  string `json:"recordingKind,omitempty"`
}

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
