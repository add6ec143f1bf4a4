// Package media synthesises the media files of recording chunks: WAV, MP3 and
// fragmented MP4, valid and playable, generated on the fly.
//
// A recording chunk can be several gigabytes and the emulator must serve any byte
// range of it at close to memory speed without ever storing it. So a File is
// never materialised: New builds small templates (headers, one period of audio,
// one fragment: tens of KB) and ReadAt copies from them. Every file is laid out as
//
//	head | body: unit, unit, unit, ... (the last one possibly cut short) | tail
//
// where each unit is the same template with a few bytes rewritten from the unit's
// index (a WAV period carries its index in the least significant bits of a few
// samples, an MP3 frame group in its ancillary data, an MP4 fragment in its
// sequence number and decode times). Locating an offset is a division, the
// bytes are a memmove from a template that fits in the L1 cache, and memory
// stays constant however long the file is. The per-unit rewrite also means no
// two units are identical, so a client that stitches a download together at a
// wrong offset gets a different SHA-256.
//
// The content: WAV channels carry distinct seed-chosen tones (one channel per
// participant when unmixed); MP3 and MP4 audio is digital silence; MP4 video is
// a grey 1280x720 H.264 picture at 30 fps. The seed also reaches the bytes of
// every unit (ancillary data, AAC fill elements, an H.264 SEI message).
// MP4 streams are padded to realistic constant bitrates (96 kbps audio,
// 960 kbps video), so file sizes, and where chunks split, look like real ones.
//
// Durations are whole blocks: a WAV sample frame (62.5 µs), an MP3 frame (24 ms),
// an AAC frame (1024/48000 s) for audio-only MP4, and 25 AAC frames = 16 video
// frames (16/30 s) for audio and video MP4. New rounds the requested duration up
// to whole blocks (at least one, two for MP3: ffmpeg does not open a file of one
// MP3 frame); File.Duration reports the result.
package media

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"time"
)

// Format is the container of a recording chunk, as named in the metadata document.
type Format string

// The formats a recording can be made in.
const (
	FormatWAV Format = "wav"
	FormatMP3 Format = "mp3"
	FormatMP4 Format = "mp4"
)

// MaxWAVChannels is the most channels a WAV file can have: unmixed audio has one
// channel per participant and the service caps that.
const MaxWAVChannels = 16

// Spec says what file to synthesise.
type Spec struct {
	Format   Format
	Video    bool          // audio and video (mp4 only)
	Channels int           // wav 1..MaxWAVChannels; mp3 and mp4 1 or 2
	Duration time.Duration // requested; rounded up to whole blocks (File.Duration)
	Seed     int64         // same seed, same bytes; another seed, other bytes
}

// AudioConfig is the metadata document's audioConfiguration.
type AudioConfig struct {
	SampleRate int // Hz
	BitRate    int // bits per second of the encoded audio
	Channels   int
}

// VideoConfig is the metadata document's videoConfiguration.
type VideoConfig struct {
	LongerSideLength  int
	ShorterSideLength int
	Framerate         int
	BitRate           int // bits per second of the encoded video
}

// File is a synthetic media file. It is immutable and safe for concurrent use.
type File interface {
	// ReadAt locates any offset in O(1), does not allocate and follows the
	// io.ReaderAt contract (io.EOF when fewer than len(p) bytes remain).
	io.ReaderAt
	Size() int64
	MIMEType() string
	// Duration is the exact duration of the encoded media, truncated to the
	// nanosecond when a block is not a whole number of nanoseconds.
	Duration() time.Duration
	Audio() AudioConfig
	// VideoConfig returns nil for audio-only files.
	VideoConfig() *VideoConfig
}

// Errors returned by New and MaxDuration, wrapped with details.
var (
	ErrInvalidSpec   = errors.New("media: invalid spec")
	ErrTooLarge      = errors.New("media: too long for the format")
	ErrLimitTooSmall = errors.New("media: size limit smaller than one block")
)

// New synthesises the file described by spec.
func New(spec Spec) (File, error) {
	if spec.Duration < 0 {
		return nil, fmt.Errorf("%w: negative duration %v", ErrInvalidSpec, spec.Duration)
	}
	g, err := geometryOf(spec)
	if err != nil {
		return nil, err
	}
	n, ok := ceilMulDiv(uint64(spec.Duration), g.blockDen, g.blockNum*uint64(time.Second))
	if !ok || n > uint64(g.maxBlocks) {
		return nil, fmt.Errorf("%w: %s of %v exceeds %v", ErrTooLarge, spec.Format, spec.Duration, g.duration(g.maxBlocks))
	}
	blocks := max(int64(n), g.minBlocks) // an empty recording is no playable file
	var f *file
	switch spec.Format {
	case FormatWAV:
		f = newWAV(spec, blocks)
	case FormatMP3:
		f = newMP3(spec, blocks)
	default:
		f, err = newMP4(spec, g, blocks)
		if err != nil {
			return nil, err
		}
	}
	f.dur = g.duration(blocks)
	if f.size != g.size(blocks) {
		// The size formula drives MaxDuration; a mismatch would break chunking.
		return nil, fmt.Errorf("media: internal error: %s size %d, expected %d", spec.Format, f.size, g.size(blocks))
	}
	return f, nil
}

// MaxDuration returns the longest duration, in whole blocks, whose file is at
// most maxBytes long; spec.Duration is ignored. The emulator uses it to cut a
// recording into chunks under the service's size limit (1.5 GB). WAV files are
// further capped at their 4 GiB format limit.
func MaxDuration(spec Spec, maxBytes int64) (time.Duration, error) {
	spec.Duration = 0
	g, err := geometryOf(spec)
	if err != nil {
		return 0, err
	}
	if g.size(g.minBlocks) > maxBytes {
		return 0, fmt.Errorf("%w: a %s file takes at least %d bytes, limit is %d", ErrLimitTooSmall, spec.Format, g.size(g.minBlocks), maxBytes)
	}
	// size is monotonic in the block count: binary search the largest that fits.
	lo, hi := g.minBlocks, g.maxBlocks
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if g.size(mid) <= maxBytes {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return g.duration(lo), nil
}

// geometry is what New and MaxDuration need to know of a format: how long a block
// lasts and how many bytes n blocks take.
type geometry struct {
	blockNum, blockDen uint64 // block duration = blockNum/blockDen seconds
	head               int64  // bytes before the first block
	blockBytes         int64
	perFrag            int64 // mp4: blocks per full fragment (0: not fragmented)
	fragHead           int64 // mp4: moof and mdat header bytes of a fragment
	minBlocks          int64 // shortest playable file
	maxBlocks          int64 // format limit, also keeps sizes and durations in range
}

// size is the file size for n blocks, minBlocks <= n <= maxBlocks.
func (g *geometry) size(n int64) int64 {
	if g.perFrag == 0 {
		return g.head + n*g.blockBytes
	}
	q, r := n/g.perFrag, n%g.perFrag
	s := g.head + q*(g.fragHead+g.perFrag*g.blockBytes)
	if r > 0 {
		s += g.fragHead + r*g.blockBytes
	}
	return s
}

// duration is the duration of n blocks, truncated to the nanosecond.
func (g *geometry) duration(n int64) time.Duration {
	d, _ := mulDiv(uint64(n), g.blockNum*uint64(time.Second), g.blockDen)
	return time.Duration(d)
}

// limitBlocks caps maxBlocks so that durations fit a time.Duration and sizes an
// int64 with room to spare.
func (g *geometry) limitBlocks() {
	byTime, ok := mulDiv(math.MaxInt64, g.blockDen, g.blockNum*uint64(time.Second))
	if ok && byTime < uint64(g.maxBlocks) {
		g.maxBlocks = int64(byTime)
	}
	bySize := (math.MaxInt64 / 2) / (g.blockBytes + g.fragHead)
	g.maxBlocks = min(g.maxBlocks, bySize)
}

func geometryOf(spec Spec) (geometry, error) {
	var g geometry
	switch spec.Format {
	case FormatWAV:
		if spec.Video {
			return g, fmt.Errorf("%w: video needs mp4, not wav", ErrInvalidSpec)
		}
		if spec.Channels < 1 || spec.Channels > MaxWAVChannels {
			return g, fmt.Errorf("%w: wav has 1 to %d channels, not %d", ErrInvalidSpec, MaxWAVChannels, spec.Channels)
		}
		g = wavGeometry(spec.Channels)
	case FormatMP3:
		if spec.Video {
			return g, fmt.Errorf("%w: video needs mp4, not mp3", ErrInvalidSpec)
		}
		if spec.Channels < 1 || spec.Channels > 2 {
			return g, fmt.Errorf("%w: mp3 has 1 or 2 channels, not %d", ErrInvalidSpec, spec.Channels)
		}
		g = mp3Geometry()
	case FormatMP4:
		if spec.Channels < 1 || spec.Channels > 2 {
			return g, fmt.Errorf("%w: mp4 audio has 1 or 2 channels, not %d", ErrInvalidSpec, spec.Channels)
		}
		g = mp4Geometry(spec.Video)
	default:
		return g, fmt.Errorf("%w: format %q (want %q, %q or %q)", ErrInvalidSpec, spec.Format, FormatWAV, FormatMP3, FormatMP4)
	}
	g.limitBlocks()
	return g, nil
}

// mulDiv returns floor(a*b/c) and whether it fits in 64 bits.
func mulDiv(a, b, c uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, c)
	return q, true
}

// ceilMulDiv returns ceil(a*b/c) and whether it fits in 64 bits.
func ceilMulDiv(a, b, c uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, false
	}
	q, rem := bits.Div64(hi, lo, c)
	if rem > 0 {
		if q == math.MaxUint64 {
			return 0, false
		}
		q++
	}
	return q, true
}
