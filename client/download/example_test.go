package download_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
)

// Download a recording chunk from an in-process emulator, then see a forged
// location refused without any request.
func Example() {
	ctx := context.Background()
	srv, err := emulator.New(emulator.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rec, err := srv.Control().CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(5 * time.Second), NoEvent: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := rec.Documents[0]

	dir, _ := os.MkdirTemp("", "download-example")
	defer os.RemoveAll(dir)
	store, err := jobs.Open(filepath.Join(dir, ".acsrec.db"), jobs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	cs, _ := signer.ParseConnectionString(srv.ConnectionString())
	d, err := download.New(cs, download.Options{Dir: dir, State: store})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()

	// What the webhook makes of a RecordingFileStatusUpdated chunk.
	job := jobs.Job{DocumentID: doc.ID, Format: "wav", ContentLocation: doc.ContentLocation, MetadataLocation: doc.MetadataLocation}
	res, err := d.Document(ctx, job)
	if err != nil {
		fmt.Println(err)
		return
	}
	media := res.Files[0]
	fmt.Println(media.Name == doc.ID+".wav", media.Size == doc.Size, res.Files[1].Name == doc.ID+".metadata.json")

	job.ContentLocation = "https://attacker.example/v1/objects/" + doc.ID + "/content/audio"
	_, err = d.Document(ctx, job)
	var refused *download.RefusedError
	fmt.Println(errors.As(err, &refused), jobs.IsPermanent(err))
	// Output:
	// true true true
	// true true
}
