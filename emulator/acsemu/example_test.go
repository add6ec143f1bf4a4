package acsemu_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/acsemu/acsemu/emulator/acsemu"
	"github.com/acsemu/acsemu/emulator/api"
)

// Run the emulator image next to the code under test, hand that code the
// connection string, and drive the emulator through its control plane.
func Example() {
	ctx := context.Background()
	image := os.Getenv("ACSEMU_TEST_IMAGE") // acsemu.DefaultImage after make image
	ctr, err := acsemu.Run(ctx, image, acsemu.WithSeed(7), acsemu.WithHostNetwork())
	defer func() {
		if err := testcontainers.TerminateContainer(ctr); err != nil {
			log.Print(err)
		}
	}()
	if err != nil {
		log.Fatal(err)
	}

	cs, err := ctr.ConnectionString(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(cs, "endpoint=http://127.0.0.1:"))

	ctl, err := ctr.Control(ctx)
	if err != nil {
		log.Fatal(err)
	}
	rec, err := ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(20 * time.Second),
		Format: "wav", ChunkSizeLimit: 400_000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("chunks:", len(rec.Documents), rec.Documents[0].EndReason)
	// Output:
	// true
	// chunks: 2 ChunkMaximumSizeExceeded
}
