package calling_test

import (
	"context"
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"log"
	"time"

	"github.com/acsemu/acsemu/client/calling"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
)

// ExampleSimulate records a two-minute call with a ten-second pause, in a
// moment, on an emulator running on a manual clock.
func ExampleSimulate() {
	clk := clock.NewManual(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	srv, err := emulator.New(emulator.Options{Clock: clk, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		log.Fatal(err)
	}
	// Sign with the emulator's clock, since advancing it moves all of its time.
	ca := &calling.Client{Endpoint: srv.URL(), HTTP: signer.New(cs, signer.WithClock(clk)).Client()}
	res, err := calling.Simulate(context.Background(), ca, srv.Control(), calling.Plan{
		Duration: 2 * time.Minute,
		Pauses:   []api.Pause{{At: api.Duration(30 * time.Second), Duration: api.Duration(10 * time.Second)}},
		Start: api.StartRecordingRequest{RecordingContentType: "audio", RecordingFormatType: "mp3",
			AudioChannelParticipantOrdering: []api.Identifier{calling.CommunicationUser("8:acs:r_1"), calling.CommunicationUser("8:acs:r_2")}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("recorded:", time.Duration(res.Recording.DurationMs)*time.Millisecond, res.Recording.Format)
	// Media flows (and recorded time counts) from the activation, 2 s after start.
	fmt.Println("started:", res.Call.StartTime.Format(time.TimeOnly), "stopped:", res.Call.StopTime.Format(time.TimeOnly))
	for _, p := range res.Call.Pauses {
		fmt.Printf("paused %s at %s\n", time.Duration(p.Duration), time.Duration(p.At))
	}
	fmt.Println("participants:", res.Recording.Participants)
	// Output:
	// recorded: 2m0s mp3
	// started: 09:00:02 stopped: 09:02:12
	// paused 10s at 30s
	// participants: [8:acs:r_1 8:acs:r_2]
}
