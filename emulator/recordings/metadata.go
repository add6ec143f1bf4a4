package recordings

import (
	"time"

	"github.com/acsemu/acsemu/emulator/media"
)

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

// Media parameters of the recorded acsmetadata of an mp4 (audio and video)
// recording (2021 sample): what the real service writes, whatever the encoder
// did. The emulator's synthetic mp4 bytes are 48 kHz AAC and 1280x720 at
// 30 fps; its metadata says what the real metadata says.
var (
	recordedMP4Audio = AudioConfiguration{SampleRate: 16000, BitRate: 128000, Channels: 1}
	recordedMP4Video = VideoConfiguration{LongerSideLength: 1920, ShorterSideLength: 1080, Framerate: 8, BitRate: 1000000}
)

// recordingInfo describes a chunk's media: the recorded values for mp4, the
// encoded file's own for wav and mp3 (not recorded; wav's 16 kHz matches the
// recorded sample rate).
func recordingInfo(spec *Spec, f media.File) RecordingInfo {
	a := f.Audio()
	info := RecordingInfo{ContentType: spec.ContentType, ChannelType: spec.ChannelType, Format: spec.Format,
		AudioConfiguration: AudioConfiguration{SampleRate: a.SampleRate, BitRate: a.BitRate, Channels: a.Channels}}
	if spec.Format == FormatMP4 {
		info.AudioConfiguration = recordedMP4Audio
		info.AudioConfiguration.Channels = a.Channels
	}
	if f.VideoConfig() != nil {
		v := recordedMP4Video
		info.VideoConfiguration = &v
	}
	return info
}
