package download_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
)

// halfDownload leaves cutAt bytes of doc's media on disk, recorded in the
// store at e.state, as a crashed process would.
func halfDownload(t *testing.T, e *env, doc api.Document, cutAt int64) {
	t.Helper()
	store := e.store()
	defer store.Close()
	cutter := &faulty{base: newTransport(), after: func(_ int, r *http.Response) (*http.Response, error) {
		return cutBody(r, cutAt, errReset), nil
	}}
	d := e.downloader(download.Options{State: store, Transport: cutter, MaxAttempts: 1})
	defer d.Close()
	if _, err := d.Document(context.Background(), jobOf(doc)); err == nil {
		t.Fatal("the cut download succeeded")
	}
}

// The object changes between the crash and the resume: If-Range makes the
// server send all of the new object (200), which replaces the old bytes.
func TestResumeAfterObjectChangedRestartsFromZero(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 11, StorageValidators: true}) // a storage that sends ETags
	doc := e.recording(1, 200_000).Documents[0]
	halfDownload(t, e, doc, 70_000)
	fresh := make([]byte, 150_000)
	for i := range fresh {
		fresh[i] = byte(i * 7)
	}
	newDoc, err := e.srv.Control().UploadDocument(context.Background(), doc.ID, fresh, "audio/wav", "audio")
	if err != nil {
		t.Fatal(err)
	}
	if newDoc.ETag == doc.ETag {
		t.Fatal("upload kept the ETag")
	}
	store := e.store()
	defer store.Close()
	res, err := e.downloader(download.Options{State: store}).Document(context.Background(), jobOf(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Files[0]; f.Restarts != 1 || f.Requests != 1 || f.Size != int64(len(fresh)) || f.ETag != newDoc.ETag {
		t.Errorf("result %+v", f)
	}
	newDoc.MetadataSHA256 = doc.MetadataSHA256
	e.checkFiles(newDoc)
	// The journal is ordered by completion: select, do not index.
	resumed := e.requests(api.RequestFilter{DocumentID: doc.ID, Target: journal.TargetMedia, HasRange: "yes"}, 1)
	if len(resumed) != 1 || resumed[0].RangeAsked != "bytes=70000-" || resumed[0].Status != http.StatusOK {
		t.Errorf("resumes %+v; want one bytes=70000- answered 200", resumed)
	}
}

// Without If-Range (a proxy drops it), the server answers 206 with the new
// ETag: the client must not append those bytes, and starts over.
func TestResumeWithChangedETagIn206RestartsFromZero(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 12})
	doc := e.recording(1, 200_000).Documents[0]
	halfDownload(t, e, doc, 70_000)
	fresh := make([]byte, 180_000)
	newDoc, err := e.srv.Control().UploadDocument(context.Background(), doc.ID, fresh, "audio/wav", "audio")
	if err != nil {
		t.Fatal(err)
	}
	store := e.store()
	defer store.Close()
	strip := &faulty{base: newTransport(), before: func(_ int, r *http.Request) { r.Header.Del("If-Range") }}
	res, err := e.downloader(download.Options{State: store, Transport: strip}).Document(context.Background(), jobOf(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Files[0]; f.Restarts != 1 || f.Requests != 2 || f.Resumed != 1 {
		t.Errorf("result %+v", f)
	}
	newDoc.MetadataSHA256 = doc.MetadataSHA256
	e.checkFiles(newDoc)
	resumed := e.requests(api.RequestFilter{DocumentID: doc.ID, Target: journal.TargetMedia, HasRange: "yes"}, 1)
	if len(resumed) != 1 || resumed[0].RangeAsked != "bytes=70000-" || resumed[0].Status != http.StatusPartialContent {
		t.Errorf("resumes %+v; want one bytes=70000- answered 206", resumed)
	}
	if n := e.count(api.RequestFilter{DocumentID: doc.ID, Target: journal.TargetMedia, HasRange: "no"}, 2); n != 2 {
		t.Errorf("%d whole-file requests, want 2 (the cut one and the restart)", n)
	}
}

// A server (or proxy) that ignores Range answers 200 with the whole object:
// the client restarts the file with that body instead of appending it.
func TestIgnoredRangeRestartsCleanly(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 13})
	doc := e.recording(1, 200_000).Documents[0]
	halfDownload(t, e, doc, 99_999)
	store := e.store()
	defer store.Close()
	strip := &faulty{base: newTransport(), before: func(_ int, r *http.Request) { r.Header.Del("Range") }}
	res, err := e.downloader(download.Options{State: store, Transport: strip}).Document(context.Background(), jobOf(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Files[0]; f.Restarts != 1 || f.Requests != 1 || f.Size != doc.Size {
		t.Errorf("result %+v", f)
	}
	e.checkFiles(doc)
}

// A crash after the last byte but before the rename: the resume gets 416 and
// the file is complete.
func TestCompletePartialFileIsFinished(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 14})
	doc := e.recording(1, 100_000).Documents[0]
	halfDownload(t, e, doc, doc.Size) // cut exactly at the end: looks finished to nobody
	store := e.store()
	defer store.Close()
	res, err := e.downloader(download.Options{State: store}).Document(context.Background(), jobOf(doc))
	if err != nil {
		t.Fatal(err)
	}
	e.checkFiles(doc)
	if f := res.Files[0]; f.Requests != 1 || f.Resumed != 1 {
		t.Errorf("result %+v", f)
	}
}

// A partial file without a record (another tool's, or a lost store) is never
// trusted: the download starts from zero.
func TestUnrecordedPartialFileIsDiscarded(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 15})
	doc := e.recording(1, 100_000).Documents[0]
	if err := os.WriteFile(filepath.Join(e.dir, doc.ID+".media.partial"), make([]byte, 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	store := e.store()
	defer store.Close()
	if _, err := e.downloader(download.Options{State: store}).Document(context.Background(), jobOf(doc)); err != nil {
		t.Fatal(err)
	}
	e.checkFiles(doc)
	if n := e.count(api.RequestFilter{DocumentID: doc.ID, HasRange: "yes"}, 0); n != 0 {
		t.Errorf("%d ranged requests", n)
	}
	if _, ok, _ := store.LoadPartial(doc.ID + ".media.partial"); ok {
		t.Error("the partial record outlived the file")
	}
}
