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
			span := f.Size() - benchRead
			b.SetBytes(benchRead)
			b.ResetTimer()
			start := time.Now()
			off := int64(0)
			for range b.N {
				if _, err := f.ReadAt(buf, off); err != nil {
					b.Fatal(err)
				}
				if off += benchRead; off > span {
					off = 0
				}
			}
			read := time.Since(start)
			b.StopTimer()

			src := make([]byte, benchRead)
			for i := range src {
				src[i] = byte(i)
			}
			start = time.Now()
			for range b.N {
				copy(buf, src)
			}
			memcpy := time.Since(start)
			if read > 0 {
				b.ReportMetric(float64(memcpy)/float64(read), "x-memcpy")
			}
		})
	}
}
