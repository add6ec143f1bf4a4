package media

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
)

// A fragmented MP4 is an init segment (ftyp, moov with mvex) and fragments
// (moof, mdat) that all have the same size and content except their
// sequence_number and baseMediaDecodeTime fields: the body unit is one
// fragment, those fields are its patches, and a last, shorter fragment is the
// tail, built whole by New.
//
// A block is the shortest span after which both tracks end on a frame boundary:
// one AAC frame (21.3 ms) for audio only; 25 AAC frames = 16 video frames
// (533.3 ms) with video. Audio-only fragments hold 48 blocks (1.024 s); with
// video a fragment is one block, a group of pictures opened by an IDR picture,
// so it decodes on its own and the unit template stays small.
type mp4Plan struct {
	video       bool
	channels    int
	aacPerBlock int64
	vidPerBlock int64
	perFrag     int64 // blocks per full fragment
}

func newMP4Plan(video bool, channels int) mp4Plan {
	if video {
		return mp4Plan{video: true, channels: channels, aacPerBlock: 25, vidPerBlock: 16, perFrag: 1}
	}
	return mp4Plan{channels: channels, aacPerBlock: 1, perFrag: 48}
}

func (p *mp4Plan) blockBytes() int64 {
	return p.aacPerBlock*aacFrameBytes + p.vidPerBlock*vidFrameBytes
}

func (p *mp4Plan) tracks() []mp4Track {
	t := []mp4Track{{
		id: audioTrackID, handler: "soun", timescale: aacRate,
		sampleDur: aacFrameSamples, sampleBytes: aacFrameBytes, flags: flagsSync,
		entry: mp4aEntry(p.channels),
	}}
	if p.video {
		t = append(t, mp4Track{
			id: videoTrackID, handler: "vide", timescale: vidTimescale,
			sampleDur: vidTimescale / vidFPS, flags: flagsNonSync, // sizes vary: in trun
			entry: avc1Entry(h264SPS(), h264PPS()),
		})
	}
	return t
}

// audioTicks and videoTicks are the decode time advanced by one full fragment,
// in each track's timescale.
func (p *mp4Plan) audioTicks() uint64 { return uint64(p.perFrag * p.aacPerBlock * aacFrameSamples) }
func (p *mp4Plan) videoTicks() uint64 {
	return uint64(p.perFrag * p.vidPerBlock * (vidTimescale / vidFPS))
}

// fragOffsets locates the fields ReadAt rewrites in a fragment.
type fragOffsets struct{ seq, audioTfdt, videoTfdt int }

// fragment writes the fragment of the given number of blocks whose index is k,
// taking its samples from the front of audio and video.
func (p *mp4Plan) fragment(blocks, k int64, audio, video [][]byte) ([]byte, fragOffsets) {
	var off fragOffsets
	audio, video = audio[:blocks*p.aacPerBlock], video[:blocks*p.vidPerBlock]
	var dataOffsets []int // trun data_offset fields, set once the moof size is known
	// default-base-is-moof, default duration and flags present
	const tfhdFlags, tfhdSize = 0x020028, 0x000010
	audioTraf := func(b []byte) []byte {
		return box(b, "traf", func(b []byte) []byte {
			b = fullBox(b, "tfhd", 0, tfhdFlags|tfhdSize, func(b []byte) []byte {
				return be32(be32(be32(be32(b, audioTrackID), aacFrameSamples), aacFrameBytes), flagsSync)
			})
			b = fullBox(b, "tfdt", 1, 0, func(b []byte) []byte {
				off.audioTfdt = len(b)
				return be64(b, uint64(k)*p.audioTicks())
			})
			return fullBox(b, "trun", 0, 0x01, func(b []byte) []byte { // data_offset
				b = be32(b, uint32(len(audio)))
				dataOffsets = append(dataOffsets, len(b))
				return be32(b, 0)
			})
		})
	}
	videoTraf := func(b []byte) []byte {
		return box(b, "traf", func(b []byte) []byte {
			b = fullBox(b, "tfhd", 0, tfhdFlags, func(b []byte) []byte {
				return be32(be32(be32(b, videoTrackID), vidTimescale/vidFPS), flagsNonSync)
			})
			b = fullBox(b, "tfdt", 1, 0, func(b []byte) []byte {
				off.videoTfdt = len(b)
				return be64(b, uint64(k)*p.videoTicks())
			})
			// data_offset, first_sample_flags (the IDR picture is a sync
			// sample), sample sizes
			return fullBox(b, "trun", 0, 0x205, func(b []byte) []byte {
				b = be32(b, uint32(len(video)))
				dataOffsets = append(dataOffsets, len(b))
				b = be32(b, 0)
				b = be32(b, flagsSync)
				for _, s := range video {
					b = be32(b, uint32(len(s)))
				}
				return b
			})
		})
	}
	b := box(nil, "moof", func(b []byte) []byte {
		b = fullBox(b, "mfhd", 0, 0, func(b []byte) []byte {
			off.seq = len(b)
			return be32(b, uint32(k+1))
		})
		b = audioTraf(b)
		if p.video {
			b = videoTraf(b)
		}
		return b
	})
	data := len(b) + 8 // samples start after the mdat header
	binary.BigEndian.PutUint32(b[dataOffsets[0]:], uint32(data))
	if p.video {
		binary.BigEndian.PutUint32(b[dataOffsets[1]:], uint32(data+len(audio)*aacFrameBytes))
	}
	return box(b, "mdat", func(b []byte) []byte {
		for _, s := range audio {
			b = append(b, s...)
		}
		for _, s := range video {
			b = append(b, s...)
		}
		return b
	}), off
}

func mp4Geometry(video bool) geometry {
	p := newMP4Plan(video, 1)
	empty := make([][]byte, p.perFrag*max(p.aacPerBlock, p.vidPerBlock))
	frag, _ := p.fragment(1, 0, empty, empty)
	moofAndMdatHeader := int64(len(frag))
	return geometry{
		blockNum:   uint64(p.aacPerBlock * aacFrameSamples),
		minBlocks:  1,
		blockDen:   mp4MovieTimescale,
		head:       int64(len(mp4Init(p.tracks(), 0, video))),
		blockBytes: p.blockBytes(),
		perFrag:    p.perFrag,
		fragHead:   moofAndMdatHeader,
		// sequence_number is 32 bits and starts at 1.
		maxBlocks: (math.MaxUint32 - 1) * p.perFrag,
	}
}

func newMP4(spec Spec, g geometry, blocks int64) (*file, error) {
	p := newMP4Plan(spec.Video, spec.Channels)
	rng := rand.New(rand.NewPCG(uint64(spec.Seed), 0x6d70342d66696c6c)) // "mp4-fill"
	fill := func() byte { return byte(rng.Uint32()) }

	audio := make([][]byte, p.perFrag*p.aacPerBlock)
	for i := range audio {
		f, err := aacFrame(spec.Channels, fill)
		if err != nil {
			return nil, err
		}
		audio[i] = f
	}
	var video [][]byte
	if spec.Video {
		var err error
		sei := h264SEI(fmt.Sprintf("seed=%016x", uint64(spec.Seed)))
		if video, err = h264Samples(int(p.perFrag*p.vidPerBlock), sei); err != nil {
			return nil, err
		}
	}

	full, r := blocks/p.perFrag, blocks%p.perFrag
	unit, off := p.fragment(p.perFrag, 0, audio, video)
	patches := []patch{
		{off: int64(off.seq), n: 4, kind: patchBE, add: 1, mul: 1},
		{off: int64(off.audioTfdt), n: 8, kind: patchBE, mul: p.audioTicks()},
	}
	var vc *VideoConfig
	mime := "audio/mp4"
	if spec.Video {
		patches = append(patches, patch{off: int64(off.videoTfdt), n: 8, kind: patchBE, mul: p.videoTicks()})
		vc = &VideoConfig{LongerSideLength: vidWidth, ShorterSideLength: vidHeight, Framerate: vidFPS, BitRate: vidBitRate}
		mime = "video/mp4"
	}
	var tail []byte
	if r > 0 {
		tail, _ = p.fragment(r, full, audio, video)
	}
	head := mp4Init(p.tracks(), uint64(blocks)*g.blockNum, spec.Video)
	bodyLen := full * int64(len(unit))
	f := &file{
		size:    int64(len(head)) + bodyLen + int64(len(tail)),
		head:    head,
		bodyLen: bodyLen,
		patches: patches,
		tail:    tail,
		mime:    mime,
		audio:   AudioConfig{SampleRate: aacRate, BitRate: aacBitRate, Channels: spec.Channels},
		video:   vc,
	}
	f.setUnit(unit)
	return f, nil
}
