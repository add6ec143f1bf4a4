package media

import (
	"testing"
	"time"
)

const benchRead = 256 << 10

// BenchmarkReadAt reads an hour-long file sequentially in 256 KiB windows, then
// times a plain copy of a 256 KiB []byte the same number of times, and reports
// the ratio of the two speeds as x-memcpy (1.0 = as fast as copy).
func BenchmarkReadAt(b *testing.B) {
	for _, c := range []specCase{
		{"wav-mono", Spec{Format: FormatWAV, Channels: 1}},
		{"wav-16ch", Spec{Format: FormatWAV, Channels: 16}},
		{"mp3-stereo", Spec{Format: FormatMP3, Channels: 2}},
		{"mp4-audio", Spec{Format: FormatMP4, Channels: 2}},
		{"mp4-video", Spec{Format: FormatMP4, Channels: 2, Video: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.spec.Duration = time.Hour
			f := mustNew(b, c.spec)
			buf := make([]byte, benchRead)
			src := make([]byte, benchRead)
			for i := range src {
				src[i] = byte(i)
			}
			span := f.Size() - benchRead
			off := int64(0)
			// Alternate rounds of ReadAt (timed by the benchmark) and of copy
			// (timed apart), so that load from other processes hits both alike.
			const round = 64
			var read, memcpy time.Duration
			b.SetBytes(benchRead)
			b.ResetTimer()
			for done := 0; done < b.N; done += round {
				n := min(round, b.N-done)
				start := time.Now()
				for range n {
					if _, err := f.ReadAt(buf, off); err != nil {
						b.Fatal(err)
					}
					if off += benchRead; off > span {
						off = 0
					}
				}
				read += time.Since(start)
				b.StopTimer()
				start = time.Now()
				for range n {
					copy(buf, src)
				}
				memcpy += time.Since(start)
				b.StartTimer()
			}
			if read > 0 {
				b.ReportMetric(float64(memcpy)/float64(read), "x-memcpy")
			}
		})
	}
}

// BenchmarkNew is the cost of building a file's templates, independent of its
// duration.
func BenchmarkNew(b *testing.B) {
	for _, c := range []specCase{
		{"wav-16ch", Spec{Format: FormatWAV, Channels: 16, Duration: time.Hour}},
		{"mp3-stereo", Spec{Format: FormatMP3, Channels: 2, Duration: 4 * time.Hour}},
		{"mp4-audio", Spec{Format: FormatMP4, Channels: 2, Duration: 4 * time.Hour}},
		{"mp4-video", Spec{Format: FormatMP4, Channels: 2, Video: true, Duration: 4 * time.Hour}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				mustNew(b, c.spec)
			}
		})
	}
}
