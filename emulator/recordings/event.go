package recordings

import (
	"strings"
	"time"
)

// EventType is the Event Grid type of the "recording file ready" event.
const EventType = "Microsoft.Communication.RecordingFileStatusUpdated"

// Media kinds: the last segment of a content location. Unmixed audio is
// located at /content/audiowavmultichannel (recorded, 2025).
const (
	KindAudio             = "audio"
	KindVideo             = "video"
	KindAudioMultichannel = "audiowavmultichannel"
)

// IsMediaKind reports whether k is a content location's media segment.
func IsMediaKind(k string) bool {
	return k == KindAudio || k == KindVideo || k == KindAudioMultichannel
}

// Locations are the three URLs of a document, as the event and the control plane give them.
type Locations struct {
	Content  string `json:"contentLocation"`
	Metadata string `json:"metadataLocation"`
	Delete   string `json:"deleteLocation"`
}

// LocationsOf returns a document's locations under storageBase (scheme://host[:port]).
func LocationsOf(d *Document, storageBase string) Locations {
	obj := strings.TrimRight(storageBase, "/") + "/v1/objects/" + d.ID
	return Locations{Content: obj + "/content/" + d.MediaKind, Metadata: obj + "/content/acsmetadata", Delete: obj}
}

// EventChunk is one entry of recordingStorageInfo.recordingChunks.
type EventChunk struct {
	DocumentID string `json:"documentId"`
	Index      int    `json:"index"`
	EndReason  string `json:"endReason"`
	Locations
}

// EventData is the data of a RecordingFileStatusUpdated event.
type EventData struct {
	RecordingStorageInfo struct {
		RecordingChunks []EventChunk `json:"recordingChunks"`
	} `json:"recordingStorageInfo"`
	RecordingStartTime   time.Time `json:"recordingStartTime"`
	RecordingDurationMs  int64     `json:"recordingDurationMs"`
	SessionEndReason     string    `json:"sessionEndReason"`
	RecordingContentType string    `json:"recordingContentType"`
	RecordingChannelType string    `json:"recordingChannelType"`
	RecordingFormatType  string    `json:"recordingFormatType"`
}

// Subject is the event subject of a recording.
func (r *Recording) Subject() string {
	return "/recording/call/" + r.CallID + "/serverCallId/" + r.ServerCallID + "/recordingId/" + r.ID
}

// EventData builds the event data, with locations under storageBase.
func (r *Recording) EventData(storageBase string) EventData {
	var e EventData
	e.RecordingStorageInfo.RecordingChunks = []EventChunk{}
	for _, d := range r.Documents {
		e.RecordingStorageInfo.RecordingChunks = append(e.RecordingStorageInfo.RecordingChunks,
			EventChunk{DocumentID: d.ID, Index: d.Index, EndReason: d.EndReason, Locations: LocationsOf(d, storageBase)})
	}
	e.RecordingStartTime = r.StartTime
	e.RecordingDurationMs = r.Duration.Milliseconds()
	e.SessionEndReason = r.Spec.SessionEndReason
	// The event spells these capitalised ("Audio", "Mixed", "Mp3"), unlike the metadata.
	e.RecordingContentType = capitalise(r.Spec.ContentType)
	e.RecordingChannelType = capitalise(r.Spec.ChannelType)
	e.RecordingFormatType = capitalise(r.Spec.Format)
	return e
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
