package recordings

import "time"

// Metadata is the acsmetadata document of one chunk, in the real service's shape.
type Metadata struct {
	ResourceID           string          `json:"resourceId"`
	CallID               string          `json:"callId"`
	ChunkDocumentID      string          `json:"chunkDocumentId"`
	ChunkIndex           int             `json:"chunkIndex"`
	ChunkStartTime       time.Time       `json:"chunkStartTime"`
	ChunkDuration        float64         `json:"chunkDuration"` // milliseconds
	PauseResumeIntervals []PauseInterval `json:"pauseResumeIntervals"`
	RecordingInfo        RecordingInfo   `json:"recordingInfo"`
	Participants         []Participant   `json:"participants"`
}

// PauseInterval is a pause as listed in the metadata: wall-clock start and milliseconds.
type PauseInterval struct {
	StartTime time.Time `json:"startTime"`
	Duration  float64   `json:"duration"`
}

// RecordingInfo describes the media of a chunk.
type RecordingInfo struct {
	ContentType        string              `json:"contentType"`
	ChannelType        string              `json:"channelType"`
	Format             string              `json:"format"`
	AudioConfiguration AudioConfiguration  `json:"audioConfiguration"`
	VideoConfiguration *VideoConfiguration `json:"videoConfiguration,omitempty"`
}

// AudioConfiguration of a chunk.
type AudioConfiguration struct {
	SampleRate int `json:"sampleRate"`
	BitRate    int `json:"bitRate"`
	Channels   int `json:"channels"`
}

// VideoConfiguration of an audioVideo chunk.
type VideoConfiguration struct {
	LongerSideLength  int `json:"longerSideLength"`
	ShorterSideLength int `json:"shorterSideLength"`
	Framerate         int `json:"framerate"`
	BitRate           int `json:"bitRate"`
}

// Participant of a recording; Channel is set for unmixed audio only.
type Participant struct {
	ParticipantID string `json:"participantId"`
	Channel       *int   `json:"channel,omitempty"`
}
