package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// BenchmarkCreate48h16Channels creates a 48-hour, 16-channel unmixed WAV
// (88 GB in 59 chunks) through the control plane, against the baseline of
// what creation used to do before answering: hashing every chunk, measured
// here on the first chunk and multiplied by the chunk count.
func BenchmarkCreate48h16Channels(b *testing.B) {
	srv := emulatortest.Start(b, emulator.Options{})
	ctl, ctx := srv.Control(), context.Background()
	spec := api.RecordingSpec{Duration: api.Duration(48 * time.Hour), ChannelType: "unmixed", ParticipantCount: 16, NoEvent: true}
	var created time.Duration
	var rec api.Recording
	for range b.N {
		start := time.Now()
		r, err := ctl.CreateRecording(ctx, spec)
		if err != nil {
			b.Fatal(err)
		}
		created += time.Since(start)
		rec = r
		if err := ctl.Reset(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// The baseline: one chunk's hash, waited for through the control plane.
	r, err := ctl.CreateRecording(ctx, spec)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := ctl.WaitDocumentHash(ctx, r.Documents[0].ID); err != nil {
		b.Fatal(err)
	}
	oneChunk := time.Since(start)
	perCreate := created / time.Duration(b.N)
	oldCreate := oneChunk * time.Duration(len(rec.Documents))
	b.ReportMetric(float64(perCreate.Microseconds())/1000, "create-ms")
	b.ReportMetric(float64(oneChunk.Milliseconds()), "hash-1-chunk-ms")
	b.ReportMetric(float64(oldCreate.Milliseconds())/1000, "hash-all-s(old-create)")
	b.ReportMetric(oldCreate.Seconds()/perCreate.Seconds(), "old/new")
}
