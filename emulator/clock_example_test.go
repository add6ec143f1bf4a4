package emulator_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
)

// Options.Clock takes a clock.Clock from the public package
// github.com/acsemu/acsemu/clock, so a test outside this module can pin the
// emulator's time with a Manual clock and move it with Advance.
func ExampleOptions_manualClock() {
	clk := clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv, err := emulator.New(emulator.Options{Seed: 1, Clock: clk})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	rec, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(20 * time.Second), Format: "wav"})
	if err != nil {
		log.Fatal(err)
	}
	// A recording ends at the emulator's now: it started 20 s before.
	fmt.Println("recording started:", rec.StartTime.Format(time.RFC3339))
	fmt.Println("clock advanced to:", clk.Advance(2*time.Hour).Format(time.RFC3339))
	// Output:
	// recording started: 2026-03-01T08:59:40Z
	// clock advanced to: 2026-03-01T11:00:00Z
}
