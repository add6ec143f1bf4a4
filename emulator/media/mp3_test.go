package media

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/hajimehoshi/go-mp3"
)

func TestMP3Decodes(t *testing.T) {
	for _, c := range specCases() {
		if c.spec.Format != FormatMP3 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			f := mustNew(t, c.spec)
			full := readAll(t, f)
			d, err := mp3.NewDecoder(bytes.NewReader(full))
			if err != nil {
				t.Fatalf("go-mp3: %v", err)
			}
			if d.SampleRate() != 48000 {
				t.Errorf("sample rate %d", d.SampleRate())
			}
			// go-mp3 always outputs 16-bit stereo: 4 bytes per sample.
			samples := d.Length() / 4
			if got := time.Duration(samples) * time.Second / 48000; got != f.Duration() {
				t.Errorf("decoder length %d samples = %v, File.Duration %v", samples, got, f.Duration())
			}
			n, err := io.Copy(io.Discard, d)
			if err != nil || n != d.Length() {
				t.Errorf("decoded %d bytes (%v), Length %d", n, err, d.Length())
			}
			// Channel mode of every frame header: 11 is single channel.
			head := int64(len(mp3Tag(0)))
			for off := head; off < int64(len(full)); off += mp3FrameBytes {
				mono := full[off+3]>>6 == 3
				if full[off] != 0xFF || mono != (c.spec.Channels == 1) {
					t.Fatalf("frame at %d: header % x", off, full[off:off+4])
				}
			}
			if a := f.Audio(); a != (AudioConfig{SampleRate: 48000, BitRate: 128000, Channels: c.spec.Channels}) {
				t.Errorf("Audio() = %+v", a)
			}
		})
	}
}
