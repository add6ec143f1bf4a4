package media

import (
	"bytes"
	"crypto/sha256"
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
// a partial last unit (WAV period, MP3 frame group, MP4 fragment) in most
// cases, and the shortest files (an MP4 that is all tail).
func specCases() []specCase {
	return []specCase{
		{"wav-mono", Spec{Format: FormatWAV, Channels: 1, Duration: 2500 * time.Millisecond, Seed: 1}},
		{"wav-stereo", Spec{Format: FormatWAV, Channels: 2, Duration: 3 * time.Second, Seed: 2}},
		{"wav-unmixed-5", Spec{Format: FormatWAV, Channels: 5, Duration: 1234 * time.Millisecond, Seed: 3}},
		{"wav-unmixed-16", Spec{Format: FormatWAV, Channels: 16, Duration: 2100 * time.Millisecond, Seed: 4}},
		{"mp3-mono", Spec{Format: FormatMP3, Channels: 1, Duration: 2 * time.Second, Seed: 5}},
		{"mp3-stereo", Spec{Format: FormatMP3, Channels: 2, Duration: 3100 * time.Millisecond, Seed: 6}},
		{"mp3-shortest", Spec{Format: FormatMP3, Channels: 2, Duration: 1, Seed: 11}},
		{"mp4-audio-mono", Spec{Format: FormatMP4, Channels: 1, Duration: 2500 * time.Millisecond, Seed: 7}},
		{"mp4-audio-stereo", Spec{Format: FormatMP4, Channels: 2, Duration: 3 * time.Second, Seed: 8}},
		{"mp4-audio-shortest", Spec{Format: FormatMP4, Channels: 2, Duration: 1, Seed: 12}},
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
			u := int(f.unitLen)
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
