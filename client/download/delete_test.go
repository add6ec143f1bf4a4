package download_test

import (
	"context"
	"testing"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
)

func TestDeleteAfterDownloadRemovesTheDocumentOnceItIsOnDisk(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 9})
	rec := e.recording(2, 100_000)
	d := e.downloader(download.Options{DeleteAfterDownload: true})
	for _, doc := range rec.Documents {
		res, err := d.Document(context.Background(), jobOf(doc))
		if err != nil || !res.Deleted {
			t.Fatalf("%s: deleted %v, %v", doc.ID, res.Deleted, err)
		}
		if _, err := e.srv.Control().Document(context.Background(), doc.ID); !control.IsNotFound(err) {
			t.Fatalf("%s is still on the service: %v", doc.ID, err)
		}
	}
	e.checkFiles(rec.Documents...)
	if n := e.count(api.RequestFilter{Method: "DELETE", Status: 200}, 2); n != 2 {
		t.Fatalf("%d DELETEs answered 200, want 2", n)
	}
	// Without the option nothing is deleted.
	other := e.recording(1, 100_000)
	keep := e.downloader(download.Options{})
	if res, err := keep.Document(context.Background(), jobOf(other.Documents[0])); err != nil || res.Deleted {
		t.Fatalf("deleted %v, %v", res.Deleted, err)
	}
	if _, err := e.srv.Control().Document(context.Background(), other.Documents[0].ID); err != nil {
		t.Fatalf("a document was deleted without DeleteAfterDownload: %v", err)
	}
}
