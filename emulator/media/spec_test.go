package media

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestInvalidSpecs(t *testing.T) {
	for _, spec := range []Spec{
		{Format: "ogg", Channels: 1, Duration: time.Second},
		{Format: "", Channels: 1, Duration: time.Second},
		{Format: "WAV", Channels: 1, Duration: time.Second},
		{Format: FormatWAV, Channels: 0, Duration: time.Second},
		{Format: FormatWAV, Channels: 17, Duration: time.Second},
		{Format: FormatWAV, Channels: -1, Duration: time.Second},
		{Format: FormatMP3, Channels: 3, Duration: time.Second},
		{Format: FormatMP4, Channels: 0, Duration: time.Second},
		{Format: FormatMP4, Channels: 6, Duration: time.Second},
		{Format: FormatWAV, Video: true, Channels: 1, Duration: time.Second},
		{Format: FormatMP3, Video: true, Channels: 1, Duration: time.Second},
		{Format: FormatWAV, Channels: 1, Duration: -time.Nanosecond},
		{Format: FormatMP4, Channels: 1, Duration: math.MinInt64},
	} {
		if f, err := New(spec); !errors.Is(err, ErrInvalidSpec) || f != nil {
			t.Errorf("New(%+v) = %v, %v; want ErrInvalidSpec", spec, f, err)
		}
	}
	if _, err := MaxDuration(Spec{Format: FormatMP3, Channels: 5}, 1<<20); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("MaxDuration with 5 mp3 channels: %v", err)
	}
}

func TestTooLarge(t *testing.T) {
	for _, spec := range []Spec{
		{Format: FormatWAV, Channels: 16, Duration: 4 * time.Hour}, // 7.4 GB
		{Format: FormatWAV, Channels: 1, Duration: 38 * time.Hour}, // 4.4 GB
		{Format: FormatWAV, Channels: 1, Duration: math.MaxInt64},
		{Format: FormatMP3, Channels: 2, Duration: math.MaxInt64},
		{Format: FormatMP4, Channels: 2, Duration: math.MaxInt64},
		{Format: FormatMP4, Channels: 2, Video: true, Duration: math.MaxInt64},
	} {
		if _, err := New(spec); !errors.Is(err, ErrTooLarge) {
			t.Errorf("New(%+v): %v, want ErrTooLarge", spec, err)
		}
	}
}

func TestDurationRoundsUpToWholeBlocks(t *testing.T) {
	blocks := map[string]time.Duration{ // block length, truncated to ns
		"wav":  62500 * time.Nanosecond,
		"mp3":  24 * time.Millisecond,
		"mp4":  1024 * time.Second / 48000,
		"mp4v": 16 * time.Second / 30,
	}
	for _, c := range specCases() {
		key := string(c.spec.Format)
		if c.spec.Video {
			key += "v"
		}
		block := blocks[key]
		shortest := block
		if c.spec.Format == FormatMP3 {
			shortest = 2 * block
		}
		for _, d := range []time.Duration{0, 1, block - 1, block, block + 1, 10 * block, 10*block + 1, time.Minute} {
			spec := c.spec
			spec.Duration = d
			got := mustNew(t, spec).Duration()
			if got < d || got < shortest || (d > shortest && got-d > block) {
				t.Errorf("%s: Duration(%v) = %v with %v blocks", c.name, d, got, block)
			}
			// A whole number of blocks is its own rounding.
			spec.Duration = got
			if again := mustNew(t, spec).Duration(); again != got {
				t.Errorf("%s: Duration(%v) = %v, not whole blocks", c.name, got, again)
			}
		}
	}
}

func TestMaxDuration(t *testing.T) {
	limits := []int64{1610612736, 1 << 30, 10 << 20, 1 << 20, 100_003}
	for _, c := range specCases() {
		for _, limit := range limits {
			d, err := MaxDuration(c.spec, limit)
			if err != nil {
				t.Fatalf("%s: MaxDuration(%d): %v", c.name, limit, err)
			}
			spec := c.spec
			spec.Duration = d
			f := mustNew(t, spec)
			if f.Duration() != d {
				t.Errorf("%s: MaxDuration %v is not whole blocks: New gives %v", c.name, d, f.Duration())
			}
			spec.Duration = d + 1 // the next block
			g := mustNew(t, spec)
			if !(f.Size() <= limit && limit < g.Size()) {
				t.Errorf("%s: limit %d: size %d at %v, %d at %v", c.name, limit, f.Size(), d, g.Size(), g.Duration())
			}
		}
		if _, err := MaxDuration(c.spec, 40); !errors.Is(err, ErrLimitTooSmall) {
			t.Errorf("%s: MaxDuration(40): %v, want ErrLimitTooSmall", c.name, err)
		}
	}
}

func TestMaxDurationRespectsFormatLimits(t *testing.T) {
	spec := Spec{Format: FormatWAV, Channels: 2}
	d, err := MaxDuration(spec, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	spec.Duration = d
	f := mustNew(t, spec)
	if f.Size()-8 > math.MaxUint32 {
		t.Errorf("WAV of %d bytes overflows the RIFF size", f.Size())
	}
	spec.Duration = d + 1
	if _, err := New(spec); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one block past MaxDuration: %v, want ErrTooLarge", err)
	}
	for _, c := range specCases() {
		d, err := MaxDuration(c.spec, math.MaxInt64)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		c.spec.Duration = d
		if _, err := New(c.spec); err != nil {
			t.Errorf("%s: New(MaxDuration(MaxInt64) = %v): %v", c.name, d, err)
		}
	}
}

func TestConfigs(t *testing.T) {
	for _, c := range specCases() {
		f := mustNew(t, c.spec)
		a := f.Audio()
		if a.Channels != c.spec.Channels || a.SampleRate == 0 || a.BitRate == 0 {
			t.Errorf("%s: Audio() = %+v", c.name, a)
		}
		v := f.VideoConfig()
		if (v != nil) != c.spec.Video {
			t.Errorf("%s: VideoConfig() = %+v", c.name, v)
		}
		if v != nil {
			v.BitRate = -1 // callers cannot alter the file through the pointer
			if f.VideoConfig().BitRate == -1 {
				t.Errorf("%s: VideoConfig shares state", c.name)
			}
		}
		want := map[Format]string{FormatWAV: "audio/wav", FormatMP3: "audio/mpeg", FormatMP4: "audio/mp4"}[c.spec.Format]
		if c.spec.Video {
			want = "video/mp4"
		}
		if f.MIMEType() != want {
			t.Errorf("%s: MIMEType() = %q, want %q", c.name, f.MIMEType(), want)
		}
		// Audio().BitRate is the real average of the encoded audio (WAV, MP3,
		// and the audio-only MP4 but for its headers).
		if !c.spec.Video {
			secs := f.Duration().Seconds()
			if got := float64(f.Size()*8) / secs; got < float64(a.BitRate) || got > float64(a.BitRate)*1.05+20000/secs {
				t.Errorf("%s: %v bit/s over the file, Audio().BitRate %d", c.name, got, a.BitRate)
			}
		}
	}
}

// TestAnySpecIsAFileOrAnError throws random and extreme specs and limits at New,
// MaxDuration and ReadAt: each gives a working file or one of the errors.
func TestAnySpecIsAFileOrAnError(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	durations := []time.Duration{math.MinInt64, -1, 0, 1, time.Second, 4 * time.Hour, math.MaxInt64}
	limits := []int64{math.MinInt64, -1, 0, 1, 1000, 1 << 20, 1610612736, math.MaxInt64}
	buf := make([]byte, 1000)
	for range 3000 {
		spec := Spec{
			Format:   []Format{FormatWAV, FormatMP3, FormatMP4, "flac", ""}[rng.IntN(5)],
			Video:    rng.IntN(3) == 0,
			Channels: rng.IntN(40) - 10,
			Duration: durations[rng.IntN(len(durations))],
			Seed:     int64(rng.Uint64()),
		}
		if rng.IntN(2) == 0 {
			spec.Duration = time.Duration(rng.Int64())
		}
		f, err := New(spec)
		if err != nil {
			if !errors.Is(err, ErrInvalidSpec) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("New(%+v): unexpected error %v", spec, err)
			}
		} else {
			off := rng.Int64N(f.Size())
			if n, err := f.ReadAt(buf, off); n == 0 || err != nil && err != io.EOF {
				t.Fatalf("New(%+v).ReadAt(%d): %d, %v", spec, off, n, err)
			}
		}
		limit := limits[rng.IntN(len(limits))]
		d, err := MaxDuration(spec, limit)
		if err != nil {
			if !errors.Is(err, ErrInvalidSpec) && !errors.Is(err, ErrLimitTooSmall) {
				t.Fatalf("MaxDuration(%+v, %d): unexpected error %v", spec, limit, err)
			}
			continue
		}
		spec.Duration = d
		if g, err := New(spec); err != nil || g.Size() > limit {
			t.Fatalf("New(%+v) at MaxDuration(%d): %v", spec, limit, err)
		}
	}
}
