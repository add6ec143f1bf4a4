package media

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/go-audio/wav"
)

func TestWAVDecodes(t *testing.T) {
	for _, c := range specCases() {
		if c.spec.Format != FormatWAV {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			f := mustNew(t, c.spec)
			d := wav.NewDecoder(bytes.NewReader(readAll(t, f)))
			if !d.IsValidFile() {
				t.Fatalf("go-audio/wav: invalid file: %v", d.Err())
			}
			if int(d.NumChans) != c.spec.Channels || d.SampleRate != 16000 || d.BitDepth != 16 || d.WavAudioFormat != 1 {
				t.Fatalf("decoded %d ch, %d Hz, %d bit, format %d", d.NumChans, d.SampleRate, d.BitDepth, d.WavAudioFormat)
			}
			// go-audio's Duration divides the RIFF size, header included, by the
			// byte rate; the data chunk is what the duration is made of.
			blockAlign := int64(2 * c.spec.Channels)
			if err := d.FwdToPCM(); err != nil {
				t.Fatal(err)
			}
			if got := time.Duration(d.PCMLen()/blockAlign) * time.Second / 16000; got != f.Duration() || d.PCMLen()%blockAlign != 0 {
				t.Errorf("data chunk of %d bytes (%v), File.Duration %v", d.PCMLen(), got, f.Duration())
			}
			header := time.Duration(36 * int64(time.Second) / (16000 * blockAlign))
			if dur, err := d.Duration(); err != nil || (dur-f.Duration()-header).Abs() > time.Microsecond {
				t.Errorf("decoder duration %v (%v), File.Duration %v", dur, err, f.Duration())
			}
			buf, err := d.FullPCMBuffer()
			if err != nil {
				t.Fatal(err)
			}
			ch := c.spec.Channels
			frames := len(buf.Data) / ch
			if len(buf.Data)%ch != 0 || time.Duration(frames)*time.Second/16000 != f.Duration() {
				t.Fatalf("%d samples in %d channels, File.Duration %v", len(buf.Data), ch, f.Duration())
			}
			a := f.Audio()
			if a.SampleRate != 16000 || a.Channels != ch || a.BitRate != 16000*16*ch {
				t.Errorf("Audio() = %+v", a)
			}
			// Every channel carries its own tone: audible, and unlike the others.
			chans := make([][]int, ch)
			for i, s := range buf.Data {
				chans[i%ch] = append(chans[i%ch], s)
			}
			for i, s := range chans {
				if peak := max(slices.Max(s), -slices.Min(s)); peak < 5000 {
					t.Errorf("channel %d peaks at %d", i, peak)
				}
				for j := range i {
					if slices.Equal(s, chans[j]) {
						t.Errorf("channels %d and %d are identical", j, i)
					}
				}
			}
		})
	}
}
