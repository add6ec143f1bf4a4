package media

import (
	"fmt"
	"math/rand/v2"
)

const (
	mp3Rate         = 48000
	mp3BitRate      = 128000
	mp3FrameSamples = 1152
	// MPEG-1 Layer III frame length is 144*bitrate/rate (+1 with padding): 384
	// bytes at 128 kbps and 48 kHz, exactly, so no frame ever needs padding.
	mp3FrameBytes = 144 * mp3BitRate / mp3Rate
	// A unit is a group of frames; one patch per group keeps ReadAt's per-unit
	// work negligible next to the copy (a frame per unit would be ~700 patches
	// per 256 KiB read).
	mp3UnitFrames = 32
	// The last bytes of a unit's first frame carry the unit's index.
	mp3MarkBytes = 8
)

// mp3Tag is an ID3v2.3 tag naming the generator and the seed. The seed is written
// in fixed-width hex so the tag, hence the file size, does not depend on it.
func mp3Tag(seed int64) []byte {
	frame := func(b []byte, id string, body []byte) []byte {
		b = append(b, id...)
		b = be32(b, uint32(len(body)))
		return append(b, 0, 0) // flags
	}
	var frames []byte
	tsse := append([]byte{0}, "acsemu synthetic silence"...) // encoding 0: ISO-8859-1
	frames = append(frame(frames, "TSSE", tsse), tsse...)
	txxx := append([]byte{0}, fmt.Sprintf("acsemu-seed\x00%016x", uint64(seed))...)
	frames = append(frame(frames, "TXXX", txxx), txxx...)

	n := len(frames) // syncsafe: 7 bits per byte
	tag := []byte{'I', 'D', '3', 3, 0, 0, byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
	return append(tag, frames...)
}

func mp3Geometry() geometry {
	return geometry{
		blockNum: mp3FrameSamples,
		blockDen: mp3Rate,
		// ffmpeg finds the stream only if a frame header follows the first frame.
		minBlocks:  2,
		head:       int64(len(mp3Tag(0))),
		blockBytes: mp3FrameBytes,
		maxBlocks:  1 << 62, // lowered by limitBlocks
	}
}

// newMP3 lays out an ID3v2 tag and frames of digital silence: every granule has
// part2_3_length 0 (no Huffman data) and main_data_begin 0 (no bit reservoir), so
// each frame decodes on its own and the rest of the frame is ancillary data,
// which carries seed-derived bytes and the unit marks.
func newMP3(spec Spec, frames int64) *file {
	sideInfo := 32 // MPEG-1 stereo
	mode := byte(0x00)
	if spec.Channels == 1 {
		sideInfo, mode = 17, 0xC0 // single channel
	}
	// Sync, MPEG-1, Layer III, no CRC | 128 kbps, 48 kHz, no padding | mode.
	header := []byte{0xFF, 0xFB, 0x94, mode}

	rng := rand.New(rand.NewPCG(uint64(spec.Seed), 0x6d70332d616e6379)) // "mp3-ancy"
	unit := make([]byte, 0, mp3UnitFrames*mp3FrameBytes)
	for range mp3UnitFrames {
		unit = append(unit, header...)
		unit = append(unit, make([]byte, sideInfo)...)
		for range mp3FrameBytes - len(header) - sideInfo {
			// 7-bit values: no 0xFF, so no false sync word for a resyncing decoder.
			unit = append(unit, byte(rng.Uint32()&0x7F))
		}
	}
	head := mp3Tag(spec.Seed)
	bodyLen := frames * mp3FrameBytes
	f := &file{
		size:    int64(len(head)) + bodyLen,
		head:    head,
		bodyLen: bodyLen,
		patches: []patch{{off: mp3FrameBytes - mp3MarkBytes, n: mp3MarkBytes, kind: patch7Bit, mul: 1}},
		mime:    "audio/mpeg",
		audio:   AudioConfig{SampleRate: mp3Rate, BitRate: mp3BitRate, Channels: spec.Channels},
	}
	f.setUnit(unit)
	return f
}
