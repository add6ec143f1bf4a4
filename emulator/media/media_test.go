package media

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

type specCase struct {
	name string
	spec Spec
}

// specCases covers every format and channel layout, with durations that leave
// a partial last unit (WAV second, MP3 frame group, MP4 fragment) in most cases.
func specCases() []specCase {
	return []specCase{
		{"wav-mono", Spec{Format: FormatWAV, Channels: 1, Duration: 2500 * time.Millisecond, Seed: 1}},
		{"wav-stereo", Spec{Format: FormatWAV, Channels: 2, Duration: 3 * time.Second, Seed: 2}},
		{"wav-unmixed-5", Spec{Format: FormatWAV, Channels: 5, Duration: 1234 * time.Millisecond, Seed: 3}},
		{"wav-unmixed-16", Spec{Format: FormatWAV, Channels: 16, Duration: 2100 * time.Millisecond, Seed: 4}},
		{"mp3-mono", Spec{Format: FormatMP3, Channels: 1, Duration: 2 * time.Second, Seed: 5}},
		{"mp3-stereo", Spec{Format: FormatMP3, Channels: 2, Duration: 3100 * time.Millisecond, Seed: 6}},
		{"mp4-audio-mono", Spec{Format: FormatMP4, Channels: 1, Duration: 2500 * time.Millisecond, Seed: 7}},
		{"mp4-audio-stereo", Spec{Format: FormatMP4, Channels: 2, Duration: 3 * time.Second, Seed: 8}},
		{"mp4-video-mono", Spec{Format: FormatMP4, Video: true, Channels: 1, Duration: 3500 * time.Millisecond, Seed: 9}},
		{"mp4-video-stereo", Spec{Format: FormatMP4, Video: true, Channels: 2, Duration: 4 * time.Second, Seed: 10}},
	}
}

func mustNew(t testing.TB, spec Spec) File {
	t.Helper()
	f, err := New(spec)
	if err != nil {
		t.Fatalf("New(%+v): %v", spec, err)
	}
	return f
}

func readAll(t testing.TB, f File) []byte {
	t.Helper()
	b, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if int64(len(b)) != f.Size() {
		t.Fatalf("read %d bytes, Size %d", len(b), f.Size())
	}
	return b
}

func TestDeterministicAndSeeded(t *testing.T) {
	for _, c := range specCases() {
		t.Run(c.name, func(t *testing.T) {
			a := sha256.Sum256(readAll(t, mustNew(t, c.spec)))
			b := sha256.Sum256(readAll(t, mustNew(t, c.spec)))
			if a != b {
				t.Fatal("same spec, different bytes")
			}
			other := c.spec
			other.Seed++
			x, y := readAll(t, mustNew(t, c.spec)), readAll(t, mustNew(t, other))
			if len(x) != len(y) {
				t.Fatalf("seed changed the size: %d vs %d", len(x), len(y))
			}
			if sha256.Sum256(y) == a {
				t.Fatal("different seed, same bytes")
			}
			// The seed must reach the media, not only a header.
			half := len(x) / 2
			if bytes.Equal(x[half:], y[half:]) {
				t.Fatal("different seed, same second half")
			}
		})
	}
}

// TestNoRepeatedUnits checks that units differ from each other, so a download
// stitched at a wrong multiple of the unit size cannot hash right.
func TestNoRepeatedUnits(t *testing.T) {
	for _, c := range specCases() {
		t.Run(c.name, func(t *testing.T) {
			f := mustNew(t, c.spec).(*file)
			full := readAll(t, f)
			u := len(f.unit)
			seen := map[[32]byte]int{}
			for k := 0; (k+1)*u <= int(f.bodyLen); k++ {
				start := len(f.head) + k*u
				sum := sha256.Sum256(full[start : start+u])
				if j, dup := seen[sum]; dup {
					t.Fatalf("units %d and %d are identical", j, k)
				}
				seen[sum] = k
			}
		})
	}
}

func TestReadAtMatchesSequentialRead(t *testing.T) {
	for _, c := range specCases() {
		t.Run(c.name, func(t *testing.T) {
			f := mustNew(t, c.spec)
			full := readAll(t, f)
			size := f.Size()
			rng := rand.New(rand.NewPCG(uint64(c.spec.Seed), 99))
			buf := make([]byte, 70000)
			for i := range 2000 {
				off := rng.Int64N(size + 16)
				n := rng.IntN(1 + []int{16, 700, 5000, 70000}[i%4])
				got, err := f.ReadAt(buf[:n], off)
				wantN := int(max(0, min(int64(n), size-off)))
				if got != wantN {
					t.Fatalf("ReadAt(%d bytes at %d) = %d, want %d", n, off, got, wantN)
				}
				short := off+int64(n) > size
				if short && err != io.EOF || !short && err != nil {
					t.Fatalf("ReadAt(%d bytes at %d of %d): err %v", n, off, size, err)
				}
				if wantN > 0 && !bytes.Equal(buf[:got], full[off:off+int64(got)]) {
					t.Fatalf("ReadAt(%d bytes at %d) differs from the sequential read", n, off)
				}
			}
		})
	}
}

func TestReadAtEdges(t *testing.T) {
	f := mustNew(t, Spec{Format: FormatMP4, Video: true, Channels: 2, Duration: time.Second})
	size := f.Size()
	buf := make([]byte, 10)
	for _, tt := range []struct {
		off   int64
		len   int
		wantN int
		want  error
	}{
		{0, 0, 0, nil},
		{size - 1, 1, 1, nil},
		{size - 10, 10, 10, nil},
		{size - 4, 10, 4, io.EOF},
		{size, 10, 0, io.EOF},
		{size, 0, 0, io.EOF},
		{size + 1000, 10, 0, io.EOF},
		{math.MaxInt64, 10, 0, io.EOF},
	} {
		n, err := f.ReadAt(buf[:tt.len], tt.off)
		if n != tt.wantN || err != tt.want {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v", tt.len, tt.off, n, err, tt.wantN, tt.want)
		}
	}
	if n, err := f.ReadAt(buf, -1); n != 0 || err == nil {
		t.Errorf("ReadAt at -1 = %d, %v; want an error", n, err)
	}
}

func TestReadAtConcurrent(t *testing.T) {
	f := mustNew(t, Spec{Format: FormatMP4, Video: true, Channels: 2, Duration: 5 * time.Second, Seed: 42})
	full := readAll(t, f)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			buf := make([]byte, 4096)
			for range 300 {
				off := rng.Int64N(f.Size())
				n, _ := f.ReadAt(buf, off)
				if !bytes.Equal(buf[:n], full[off:off+int64(n)]) {
					t.Errorf("goroutine %d: mismatch at %d", g, off)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestReadAtDoesNotAllocate(t *testing.T) {
	for _, c := range specCases() {
		f := mustNew(t, c.spec)
		buf := make([]byte, 64<<10)
		off := int64(0)
		allocs := testing.AllocsPerRun(50, func() {
			f.ReadAt(buf, off)
			off = (off + 12345) % f.Size()
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per ReadAt", c.name, allocs)
		}
	}
}

// TestMemoryIndependentOfDuration builds 4-hour files: what New allocates must
// not grow with the duration.
func TestMemoryIndependentOfDuration(t *testing.T) {
	for _, spec := range []Spec{
		{Format: FormatWAV, Channels: 16, Duration: time.Hour},
		{Format: FormatWAV, Channels: 1, Duration: 4 * time.Hour},
		{Format: FormatMP3, Channels: 2, Duration: 4 * time.Hour},
		{Format: FormatMP4, Channels: 2, Duration: 4 * time.Hour},
		{Format: FormatMP4, Channels: 2, Video: true, Duration: 4 * time.Hour},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f := mustNew(t, spec)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
			t.Errorf("%s %dch video=%v: New allocated %d bytes for a %d-byte file", spec.Format, spec.Channels, spec.Video, alloc, f.Size())
		}
	}
}

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
		for _, d := range []time.Duration{0, 1, block - 1, block, block + 1, 10 * block, 10*block + 1, time.Minute} {
			spec := c.spec
			spec.Duration = d
			got := mustNew(t, spec).Duration()
			if got < d || got < block || (d > 0 && got-d > block) {
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
