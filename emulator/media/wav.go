package media

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
)

const (
	wavRate      = 16000
	wavHeaderLen = 44
	// The RIFF chunk size (file size - 8) is a uint32: that is the 4 GiB limit.
	wavMaxRIFF = math.MaxUint32
	// A unit is the longest span of audio that is a whole fraction of a second
	// (1/2^k) and at most this many bytes: small enough to stay in the CPU's L1
	// cache while ReadAt copies from it (a second of 16 channels, 512 KB,
	// copies at about half the speed). Tone frequencies are multiples of
	// 1/unit, so the samples repeat exactly every unit and one unit is all we
	// store.
	wavMaxUnitBytes = 16 << 10
	// Tone frequencies are drawn from this range: audible, below Nyquist.
	wavMinHz, wavMaxHz = 200, 3000
	// 32 samples at the start of each unit carry the unit's index in their LSB.
	wavMarkSamples = 32
)

func wavGeometry(channels int) geometry {
	blockAlign := int64(2 * channels)
	return geometry{
		blockNum:   1,
		minBlocks:  1,
		blockDen:   wavRate,
		head:       wavHeaderLen,
		blockBytes: blockAlign,
		maxBlocks:  (wavMaxRIFF - (wavHeaderLen - 8)) / blockAlign,
	}
}

// newWAV lays out a 16-bit PCM WAV whose channel c is a sine tone of a
// seed-chosen frequency and phase, distinct for every channel, so a test can
// tell channels (participants) apart.
func newWAV(spec Spec, frames int64) *file {
	ch := spec.Channels
	blockAlign := 2 * ch
	dataLen := frames * int64(blockAlign)

	h := make([]byte, 0, wavHeaderLen)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(wavHeaderLen-8+dataLen))
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16) // fmt chunk size
	h = binary.LittleEndian.AppendUint16(h, 1)  // PCM
	h = binary.LittleEndian.AppendUint16(h, uint16(ch))
	h = binary.LittleEndian.AppendUint32(h, wavRate)
	h = binary.LittleEndian.AppendUint32(h, uint32(wavRate*blockAlign))
	h = binary.LittleEndian.AppendUint16(h, uint16(blockAlign))
	h = binary.LittleEndian.AppendUint16(h, 16) // bits per sample
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(dataLen))

	rng := rand.New(rand.NewPCG(uint64(spec.Seed), 0x7761762d746f6e65)) // "wav-tone"
	unitFrames := wavRate
	for unitFrames*blockAlign > wavMaxUnitBytes && unitFrames%2 == 0 {
		unitFrames /= 2 // mono: 8000 frames (2 Hz steps); 16 channels: 500 (32 Hz)
	}
	step := wavRate / unitFrames // Hz
	freqs := make([]int, 0, ch)
	for len(freqs) < ch {
		f := step * (wavMinHz/step + rng.IntN((wavMaxHz-wavMinHz)/step+1))
		if !slices.Contains(freqs, f) {
			freqs = append(freqs, f)
		}
	}
	unit := make([]byte, unitFrames*blockAlign)
	const amplitude = 0.3 * math.MaxInt16
	for c, hz := range freqs {
		phase := 2 * math.Pi * rng.Float64()
		for i := range unitFrames {
			s := amplitude * math.Sin(2*math.Pi*float64(hz*i)/wavRate+phase)
			binary.LittleEndian.PutUint16(unit[(i*ch+c)*2:], uint16(int16(math.Round(s))))
		}
	}
	f := &file{
		size:    wavHeaderLen + dataLen,
		head:    h,
		bodyLen: dataLen,
		patches: []patch{{off: 0, n: 2 * wavMarkSamples, kind: patchLSB16, mul: 1}},
		mime:    "audio/wav",
		audio:   AudioConfig{SampleRate: wavRate, BitRate: wavRate * 16 * ch, Channels: ch},
	}
	f.setUnit(unit)
	return f
}
