package emulator_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
)

// Start an emulator, create a two-chunk recording through the control plane,
// download a chunk with a signed request, and read the journal.
func Example() {
	srv, err := emulator.New(emulator.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	rec, err := srv.Control().CreateRecording(ctx, api.RecordingSpec{
		Duration: api.Duration(20 * time.Second), Format: "wav", ChunkSizeLimit: 400_000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("chunks:", len(rec.Documents), rec.Documents[0].EndReason, rec.Documents[1].EndReason)

	cs, _ := signer.ParseConnectionString(srv.ConnectionString())
	client := signer.New(cs).Client()
	req, _ := http.NewRequest(http.MethodGet, rec.Documents[0].ContentLocation, nil)
	req.Header.Set("Range", "bytes=1000-")
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, n == rec.Documents[0].Size-1000)

	// The journal is written when the handler returns, a moment after the
	// client saw the body: wait for the entry rather than reading once.
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resumed, err := srv.Journal().Await(waitCtx, journal.Filter{RangePrefix: "bytes=1000-"}, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("journal: %d request resumed at byte 1000\n", len(resumed))
	// Output:
	// chunks: 2 ChunkMaximumSizeExceeded SessionEnded
	// 206 Partial Content true
	// journal: 1 request resumed at byte 1000
}
