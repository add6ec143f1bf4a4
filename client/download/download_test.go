package download_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
)

// runAll runs a Runner until every job is Done or Failed.
func runAll(t *testing.T, store *jobs.Store, d *download.Downloader, workers int) map[string]jobs.Job {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan jobs.Job, 100)
	r := &download.Runner{Store: store, Downloader: d, Workers: workers,
		OnFinish: func(j jobs.Job, _ download.Result, _ error) { finished <- j }}
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for {
		all, err := store.List()
		if err != nil {
			t.Fatal(err)
		}
		out, open := map[string]jobs.Job{}, 0
		for _, j := range all {
			out[j.DocumentID] = j
			if j.State == jobs.Pending || j.State == jobs.Running {
				open++
			}
		}
		if open == 0 {
			return out
		}
		<-finished
	}
}

func TestThreeChunksDownloadCompletely(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 7})
	rec := e.recording(3, 200_000)
	store := e.store()
	defer store.Close()
	inflight := &concurrency{base: newTransport()}
	d := e.downloader(download.Options{State: store, Transport: inflight})
	for _, doc := range rec.Documents {
		if _, err := store.Add(jobOf(doc)); err != nil {
			t.Fatal(err)
		}
	}
	got := runAll(t, store, d, 2)
	if inflight.max.Load() > 2 {
		t.Errorf("%d requests at once with 2 workers", inflight.max.Load())
	}
	for _, doc := range rec.Documents {
		j := got[doc.ID]
		if j.State != jobs.Done || j.Attempts != 1 || j.Bytes != doc.Size+doc.MetadataSize {
			t.Errorf("%s: %+v", doc.ID, j)
		}
	}
	e.checkFiles(rec.Documents...)
	if n := e.count(api.RequestFilter{AuthOK: "false"}, 0); n != 0 {
		t.Errorf("%d requests failed authentication", n)
	}
}

func TestDuplicateDeliveriesDownloadOnce(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 8})
	rec := e.recording(2, 100_000)
	store := e.store()
	defer store.Close()
	d := e.downloader(download.Options{State: store})
	// The same event five times, then a second event naming the first chunk.
	for range 5 {
		for _, doc := range rec.Documents {
			if _, err := store.Add(jobOf(doc)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if added, _ := store.Add(jobOf(rec.Documents[0])); len(added) != 0 {
		t.Fatalf("a duplicate was added: %v", added)
	}
	runAll(t, store, d, 4)
	// Once more after they are done: still nothing new.
	if added, _ := store.Add(jobOf(rec.Documents[0]), jobOf(rec.Documents[1])); len(added) != 0 {
		t.Fatalf("a finished document was added again: %v", added)
	}
	for _, doc := range rec.Documents {
		for _, target := range []string{journal.TargetMedia, journal.TargetMetadata} {
			if n := e.count(api.RequestFilter{DocumentID: doc.ID, Method: "GET", Target: target}, 1); n != 1 {
				t.Errorf("%s %s: %d GETs, want 1", doc.ID, target, n)
			}
		}
	}
	e.checkFiles(rec.Documents...)
}

// A process dies half-way through a file; a new store and downloader resume
// it with exactly one Range request from the bytes on disk: with no
// validators (the real storage was not recorded sending ETag or
// Last-Modified) and with them (then If-Range carries the ETag).
func TestResumeAfterRestart(t *testing.T) {
	for _, validators := range []bool{false, true} {
		t.Run(fmt.Sprintf("validators=%v", validators), func(t *testing.T) { resumeAfterRestart(t, validators) })
	}
}

func resumeAfterRestart(t *testing.T, validators bool) {
	e := newEnv(t, emulator.Options{Seed: 9, StorageValidators: validators})
	doc := e.recording(1, 400_000).Documents[0]
	const cutAt = 123_457

	store := e.store()
	cutter := &faulty{base: newTransport(), after: func(n int, r *http.Response) (*http.Response, error) {
		return cutBody(r, cutAt, errReset), nil
	}}
	d := e.downloader(download.Options{State: store, Transport: cutter, MaxAttempts: 1})
	if _, err := d.Document(context.Background(), jobOf(doc)); err == nil {
		t.Fatal("the cut download succeeded")
	}
	fi, err := os.Stat(filepath.Join(e.dir, doc.ID+".media.partial"))
	if err != nil || fi.Size() != cutAt {
		t.Fatalf("partial file: %v, %v", fi, err)
	}
	d.Close()
	store.Close()

	store = e.store()
	defer store.Close()
	d = e.downloader(download.Options{State: store})
	res, err := d.Document(context.Background(), jobOf(doc))
	if err != nil {
		t.Fatal(err)
	}
	if res.Files[0].Resumed != 1 || res.Files[0].Restarts != 0 {
		t.Errorf("result %+v", res.Files[0])
	}
	e.checkFiles(doc)
	media := api.RequestFilter{DocumentID: doc.ID, Target: journal.TargetMedia}
	ranged := e.requests(api.RequestFilter{DocumentID: doc.ID, Target: journal.TargetMedia, HasRange: "yes"}, 1)
	if len(ranged) != 1 || ranged[0].RangeAsked != "bytes=123457-" || ranged[0].Status != http.StatusPartialContent {
		t.Fatalf("ranged requests: %+v", ranged)
	}
	wantIfRange := ""
	if validators {
		wantIfRange = doc.ETag
	}
	if ranged[0].Header.Get("If-Range") != wantIfRange {
		t.Errorf("If-Range %q, want %q", ranged[0].Header.Get("If-Range"), wantIfRange)
	}
	if n := e.count(media, 2); n != 2 {
		t.Errorf("%d media requests, want 2", n)
	}
}

// Faults within one process: each ends with the right bytes, resuming from
// exactly the bytes on disk.
func TestResumeWithinOneRun(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
	}{{"reset", errReset}, {"truncated", io.EOF}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{Seed: 10})
			doc := e.recording(1, 300_000).Documents[0]
			cutter := &faulty{base: newTransport(), after: func(n int, r *http.Response) (*http.Response, error) {
				if n <= 2 && r.Request.URL.Path == mustPath(doc.ContentLocation) {
					// A body that just ends early (EOF before Content-Length) must not pass for the whole file.
					r = cutBody(r, int64(50_000*n), c.err)
				}
				return r, nil
			}}
			d := e.downloader(download.Options{Transport: cutter})
			res, err := d.Document(context.Background(), jobOf(doc))
			if err != nil {
				t.Fatal(err)
			}
			e.checkFiles(doc)
			f := res.Files[0]
			if f.Requests != 3 || f.Resumed != 2 || f.Restarts != 0 {
				t.Errorf("result %+v", f)
			}
			for _, want := range []string{"bytes=50000-", "bytes=150000-"} {
				if n := e.count(api.RequestFilter{DocumentID: doc.ID, RangePrefix: want}, 1); n != 1 {
					t.Errorf("%d requests asked %s, want 1", n, want)
				}
			}
		})
	}
}

// concurrency counts the most requests in flight at once (until the body is closed).
type concurrency struct {
	base     http.RoundTripper
	now, max atomic.Int32
}

func (c *concurrency) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.now.Add(1)
	for m := c.max.Load(); n > m && !c.max.CompareAndSwap(m, n); m = c.max.Load() {
	}
	resp, err := c.base.RoundTrip(r)
	if err != nil {
		c.now.Add(-1)
		return nil, err
	}
	resp.Body = &onClose{ReadCloser: resp.Body, f: func() { c.now.Add(-1) }}
	return resp, nil
}

type onClose struct {
	io.ReadCloser
	f    func()
	once sync.Once
}

func (o *onClose) Close() error { o.once.Do(o.f); return o.ReadCloser.Close() }
