package recordings

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

// DefaultChunkSizeLimit is the real service's split size: 1.5 GB.
const DefaultChunkSizeLimit int64 = 1536 << 20

// Limits that keep a single request from asking for absurd work.
const (
	MaxDuration     = 48 * time.Hour
	MaxParticipants = 16
	MaxPauses       = 1000
	MaxChunks       = 10_000
	// MinChunkSizeLimit lets tests split tiny recordings while staying above any header.
	MinChunkSizeLimit int64 = 4096
)

// Content, channel and format types, spelled as the Call Automation API spells them.
const (
	ContentAudio      = "audio"
	ContentAudioVideo = "audioVideo"
	ChannelMixed      = "mixed"
	ChannelUnmixed    = "unmixed"
	FormatWAV         = "wav"
	FormatMP3         = "mp3"
	FormatMP4         = "mp4"
)

// Pause is a pause in a recording: At is the active (recorded) time at which
// the pause starts, Duration how long the recording stayed paused.
type Pause struct {
	At       time.Duration
	Duration time.Duration
}

// Spec describes a recording to create.
type Spec struct {
	// Duration is the active recorded time (pauses excluded).
	Duration       time.Duration
	Format         string
	ContentType    string
	ChannelType    string
	Participants   []string
	ChunkSizeLimit int64
	// Seed makes the media bytes; 0 means "derive one from the emulator's seed".
	Seed   int64
	Pauses []Pause
	// StartTime defaults to the clock's now minus the wall duration (the call just ended).
	StartTime time.Time
	// RecordingID names the recording (the Call Automation recordingId);
	// "" means a generated id.
	RecordingID      string
	CallID           string
	ServerCallID     string
	SessionEndReason string
}

func badField(field, format string, args ...any) *wire.Error {
	return &wire.Error{Status: http.StatusBadRequest, Code: "BadRequest", Target: field,
		Message: field + ": " + fmt.Sprintf(format, args...)}
}

// normalize fills defaults and checks the spec, returning an error that names the field.
// The combinations are the real service's: unmixed audio is WAV only, audioVideo is MP4 only.
func (s *Spec) normalize() error {
	s.Format = strings.ToLower(s.Format)
	if s.Format == "" {
		s.Format = FormatWAV
	}
	if s.ContentType == "" {
		s.ContentType = ContentAudio
		if s.Format == FormatMP4 {
			s.ContentType = ContentAudioVideo
		}
	}
	if s.ChannelType == "" {
		s.ChannelType = ChannelMixed
	}
	switch {
	case s.Format != FormatWAV && s.Format != FormatMP3 && s.Format != FormatMP4:
		return badField("format", "%q is not one of wav, mp3, mp4", s.Format)
	case !strings.EqualFold(s.ContentType, ContentAudio) && !strings.EqualFold(s.ContentType, ContentAudioVideo):
		return badField("contentType", "%q is not one of audio, audioVideo", s.ContentType)
	case !strings.EqualFold(s.ChannelType, ChannelMixed) && !strings.EqualFold(s.ChannelType, ChannelUnmixed):
		return badField("channelType", "%q is not one of mixed, unmixed", s.ChannelType)
	}
	if strings.EqualFold(s.ContentType, ContentAudio) {
		s.ContentType = ContentAudio
	} else {
		s.ContentType = ContentAudioVideo
	}
	s.ChannelType = strings.ToLower(s.ChannelType)
	switch {
	case s.ContentType == ContentAudioVideo && s.Format != FormatMP4:
		return badField("format", "audioVideo recordings are mp4 only, not %s", s.Format)
	case s.ContentType == ContentAudio && s.Format == FormatMP4:
		return badField("format", "audio recordings are wav or mp3; mp4 is for audioVideo")
	case s.ChannelType == ChannelUnmixed && (s.Format != FormatWAV || s.ContentType != ContentAudio):
		return badField("channelType", "unmixed recordings are audio in wav only")
	case s.Duration <= 0 || s.Duration > MaxDuration:
		return badField("duration", "must be more than 0 and at most %s, got %s", MaxDuration, s.Duration)
	case len(s.Participants) > MaxParticipants:
		return badField("participants", "at most %d participants, got %d", MaxParticipants, len(s.Participants))
	case len(s.Pauses) > MaxPauses:
		return badField("pauses", "at most %d pauses, got %d", MaxPauses, len(s.Pauses))
	case s.ChunkSizeLimit != 0 && s.ChunkSizeLimit < MinChunkSizeLimit:
		return badField("chunkSizeLimit", "must be at least %d bytes, got %d", MinChunkSizeLimit, s.ChunkSizeLimit)
	}
	if s.ChunkSizeLimit == 0 {
		s.ChunkSizeLimit = DefaultChunkSizeLimit
	}
	if s.SessionEndReason == "" {
		s.SessionEndReason = "CallEnded"
	}
	for i, p := range s.Pauses {
		if p.At < 0 || p.At > s.Duration || p.Duration <= 0 || p.Duration > MaxDuration {
			return badField(fmt.Sprintf("pauses[%d]", i), "a pause starts within the recording (0..%s) and lasts more than 0 and at most %s", s.Duration, MaxDuration)
		}
	}
	sort.SliceStable(s.Pauses, func(i, j int) bool { return s.Pauses[i].At < s.Pauses[j].At })
	return nil
}

// pausedBefore is the total paused time of pauses that start strictly before active time t.
func (s *Spec) pausedBefore(t time.Duration) time.Duration {
	var d time.Duration
	for _, p := range s.Pauses {
		if p.At >= t {
			break
		}
		d += p.Duration
	}
	return d
}

// wallDuration is the time from start to stop, pauses included.
func (s *Spec) wallDuration() time.Duration {
	return s.Duration + s.pausedBefore(s.Duration+1)
}
