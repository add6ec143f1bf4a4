package api

import "time"

// Pause is a pause in a recording: it starts at the given active (recorded)
// time and lasts the given duration.
type Pause struct {
	At       Duration `json:"at"`
	Duration Duration `json:"duration"`
}

// RecordingSpec asks the emulator to create a finished recording.
type RecordingSpec struct {
	// Duration is the active recorded time (pauses excluded).
	Duration Duration `json:"duration"`
	// Format is wav (default), mp3 or mp4.
	Format string `json:"format,omitempty"`
	// ContentType is audio (default) or audioVideo (mp4 only).
	ContentType string `json:"contentType,omitempty"`
	// ChannelType is mixed (default) or unmixed (wav audio, one channel per participant).
	ChannelType string `json:"channelType,omitempty"`
	// Participants are raw ids ("8:acs:..."); ParticipantCount makes that many instead.
	Participants     []string `json:"participants,omitempty"`
	ParticipantCount int      `json:"participantCount,omitempty"`
	// ChunkSizeLimit splits the media in documents of at most this many bytes (default 1.5 GB).
	ChunkSizeLimit   int64      `json:"chunkSizeLimit,omitempty"`
	Seed             int64      `json:"seed,omitempty"`
	Pauses           []Pause    `json:"pauses,omitempty"`
	StartTime        *time.Time `json:"startTime,omitempty"`
	CallID           string     `json:"callId,omitempty"`
	ServerCallID     string     `json:"serverCallId,omitempty"`
	SessionEndReason string     `json:"sessionEndReason,omitempty"`
	// NoEvent skips publishing RecordingFileStatusUpdated for this recording.
	NoEvent bool `json:"noEvent,omitempty"`
}

// Document describes one document (a chunk) as the control plane reports it.
type Document struct {
	ID             string    `json:"documentId"`
	RecordingID    string    `json:"recordingId,omitempty"`
	Index          int       `json:"index"`
	EndReason      string    `json:"endReason"`
	MediaKind      string    `json:"mediaKind"`
	StartTime      time.Time `json:"startTime"`
	DurationMs     int64     `json:"durationMs"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	MIMEType       string    `json:"mimeType"`
	ETag           string    `json:"etag"`
	MetadataSize   int64     `json:"metadataSize"`
	MetadataSHA256 string    `json:"metadataSha256"`
	// HashPending says SHA256 or MetadataSHA256 is still being computed
	// (they are empty until then): creating a recording hashes nothing. Ask
	// with ?waitHashes=true, or Client.WaitHashes, to wait for them.
	HashPending      bool   `json:"sha256Pending,omitempty"`
	ContentLocation  string `json:"contentLocation"`
	MetadataLocation string `json:"metadataLocation"`
	DeleteLocation   string `json:"deleteLocation"`
	// PreviewContentURL and PreviewMetadataURL are the 2021 preview API's URLs.
	PreviewContentURL  string `json:"previewContentUrl"`
	PreviewMetadataURL string `json:"previewMetadataUrl"`
}

// Recording describes a recording and its documents.
type Recording struct {
	ID           string     `json:"recordingId"`
	CallID       string     `json:"callId"`
	ServerCallID string     `json:"serverCallId"`
	Subject      string     `json:"subject"`
	StartTime    time.Time  `json:"startTime"`
	DurationMs   int64      `json:"durationMs"`
	Format       string     `json:"format"`
	ContentType  string     `json:"contentType"`
	ChannelType  string     `json:"channelType"`
	Participants []string   `json:"participants"`
	Seed         int64      `json:"seed"`
	Documents    []Document `json:"documents"`
}

// Health is the answer of GET /_emulator/health.
type Health struct {
	Status string `json:"status"`
}

// Config is the emulator's effective configuration.
type Config struct {
	URL string `json:"url"`
	// ConnectionString is given only with the public development key; with a
	// custom key it is empty and CustomAccessKey is true (the control plane
	// never reveals a custom key).
	ConnectionString string  `json:"connectionString,omitempty"`
	CustomAccessKey  bool    `json:"customAccessKey"`
	StorageBaseURL   string  `json:"storageBaseUrl"`
	MaxClockSkew     string  `json:"maxClockSkew"`
	StrictAuth       bool    `json:"strictAuth"`
	Seed             int64   `json:"seed"`
	TLS              bool    `json:"tls"`
	EventTimeScale   float64 `json:"eventTimeScale"`
	// Bounds of what the emulator holds (see the README's settings table).
	JournalMaxEntries     int    `json:"journalMaxEntries"`
	JournalMaxBytes       int64  `json:"journalMaxBytes"`
	JournalMaxHeaderBytes int    `json:"journalMaxHeaderBytes"`
	MaxRecordings         int    `json:"maxRecordings"`
	MaxStoredBytes        int64  `json:"maxStoredBytes"`
	MaxUploadedBytes      int64  `json:"maxUploadedBytes"`
	EventQueueMaxBytes    int64  `json:"eventQueueMaxBytes"`
	WriteIdleTimeout      string `json:"writeIdleTimeout"`
}

// Count is the answer of the count endpoints.
type Count struct {
	Count int `json:"count"`
}
