package media_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"time"

	"github.com/acsemu/acsemu/emulator/media"
)

// A two-participant unmixed WAV chunk: serve any range of it, hash it, and cut
// a longer recording into chunks under a size limit.
func Example() {
	f, err := media.New(media.Spec{Format: media.FormatWAV, Channels: 2, Duration: 90 * time.Second, Seed: 7})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.MIMEType(), f.Size(), f.Duration(), f.Audio())

	header := make([]byte, 12)
	f.ReadAt(header, 0)
	fmt.Printf("%q\n", header)

	h := sha256.New()
	io.Copy(h, io.NewSectionReader(f, 0, f.Size()))
	fmt.Printf("sha256 %x..., same for the same Spec\n", h.Sum(nil)[:8])

	limit := int64(1610612736) // 1.5 GB, the service's chunk limit
	longest, _ := media.MaxDuration(media.Spec{Format: media.FormatMP4, Video: true, Channels: 2}, limit)
	fmt.Println("audio+video MP4 chunks last at most", longest.Round(time.Second))
	// Output:
	// audio/wav 5760044 1m30s {16000 512000 2}
	// "RIFF$\xe4W\x00WAVE"
	// sha256 bb9a742fe3746c73..., same for the same Spec
	// audio+video MP4 chunks last at most 3h22m38s
}
