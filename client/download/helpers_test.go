package download_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is an emulator, an output folder and a job store.
type env struct {
	t     testing.TB
	srv   *emulator.Server
	cs    signer.ConnectionString
	dir   string
	state string // path of the job store
}

func newEnv(t testing.TB, opts emulator.Options) *env {
	t.Helper()
	srv := emulatortest.Start(t, opts)
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return &env{t: t, srv: srv, cs: cs, dir: dir, state: filepath.Join(t.TempDir(), "jobs.db")}
}

// recording creates a recording of n chunks of about chunk bytes each.
func (e *env) recording(chunks int, chunk int64) api.Recording {
	e.t.Helper()
	// 16 kHz 16-bit mono WAV: 32,000 bytes a second.
	// Aim at half of the last chunk.
	dur := time.Duration((2*int64(chunks)-1)*chunk*1000/64_000) * time.Millisecond
	rec, err := e.srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(dur), ChunkSizeLimit: chunk, NoEvent: true})
	if err == nil {
		rec, err = e.srv.Control().WaitHashes(context.Background(), rec.ID) // creating hashes nothing
	}
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rec.Documents) != chunks {
		e.t.Fatalf("recording has %d chunks, want %d", len(rec.Documents), chunks)
	}
	return rec
}

func (e *env) store() *jobs.Store {
	e.t.Helper()
	s, err := jobs.Open(e.state, jobs.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// downloader makes a downloader into e.dir; opts.Dir and defaults are filled in.
func (e *env) downloader(opts download.Options) *download.Downloader {
	e.t.Helper()
	if opts.Dir == "" {
		opts.Dir = e.dir
	}
	if opts.Sleep == nil {
		opts.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	}
	if opts.Transport == nil {
		opts.Transport = newTransport()
	}
	d, err := download.New(e.cs, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { d.Close() })
	return d
}

// count waits until at least want data-plane requests match f (an entry
// lands when its answer ends, which can be after the client is done), then
// returns how many match, so a caller comparing with want also sees extras.
func (e *env) count(f api.RequestFilter, want int) int {
	e.t.Helper()
	f.Plane = journal.PlaneData
	emulatortest.AwaitRequests(e.t, e.srv, f, want)
	n, err := e.srv.Control().CountRequests(context.Background(), f)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// requests is count's list: it waits for at least want entries.
func (e *env) requests(f api.RequestFilter, want int) []journal.Entry {
	e.t.Helper()
	f.Plane = journal.PlaneData
	emulatortest.AwaitRequests(e.t, e.srv, f, want)
	es, err := e.srv.Control().Requests(context.Background(), f)
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}

// checkFiles checks that the folder holds doc's media and metadata with the
// control plane's SHA-256, and no partial file.
func (e *env) checkFiles(docs ...api.Document) {
	e.t.Helper()
	for _, d := range docs {
		for name, want := range map[string]string{d.ID + ".wav": d.SHA256, d.ID + ".metadata.json": d.MetadataSHA256} {
			if got := fileSHA(e.t, filepath.Join(e.dir, name)); got != want {
				e.t.Errorf("%s: SHA-256 %s, control plane says %s", name, got, want)
			}
		}
	}
	partials, _ := filepath.Glob(filepath.Join(e.dir, "*.partial"))
	if len(partials) > 0 {
		e.t.Errorf("partial files left: %v", partials)
	}
}

func fileSHA(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func jobOf(d api.Document) jobs.Job {
	return jobs.Job{DocumentID: d.ID, Index: d.Index, Format: "wav", ContentLocation: d.ContentLocation,
		MetadataLocation: d.MetadataLocation, DeleteLocation: d.DeleteLocation}
}

func newTransport() *http.Transport {
	return &http.Transport{DisableKeepAlives: false, MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Second}
}

// faulty wraps a transport: before is applied to the n-th media request
// (from 1) before it is sent, after to its response; with all, to every
// request. sent counts every request.
type faulty struct {
	base   http.RoundTripper
	all    bool
	mu     sync.Mutex
	n      int
	before func(n int, r *http.Request)
	after  func(n int, r *http.Response) (*http.Response, error)
	sent   atomic.Int32
}

func isMedia(r *http.Request) bool {
	return strings.Contains(r.URL.Path, "/content/") && !strings.HasSuffix(r.URL.Path, "/acsmetadata") ||
		strings.HasPrefix(r.URL.Path, "/recording/download/") && !strings.HasSuffix(r.URL.Path, "/metadata")
}

func (f *faulty) RoundTrip(r *http.Request) (*http.Response, error) {
	if !f.all && !isMedia(r) {
		f.sent.Add(1)
		return f.base.RoundTrip(r)
	}
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()
	if f.before != nil {
		r = r.Clone(r.Context())
		f.before(n, r)
	}
	f.sent.Add(1)
	resp, err := f.base.RoundTrip(r)
	if err != nil || f.after == nil {
		return resp, err
	}
	return f.after(n, resp)
}

// cutBody makes a response body end after n bytes with err (io.EOF for a
// silently truncated body, another error for a reset connection).
func cutBody(resp *http.Response, n int64, err error) *http.Response {
	resp.Body = &cut{r: io.LimitReader(resp.Body, n), c: resp.Body, err: err}
	return resp
}

type cut struct {
	r   io.Reader
	c   io.Closer
	err error
}

func (c *cut) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, c.err
	}
	return n, err
}

func (c *cut) Close() error { return c.c.Close() }

var errReset = errors.New("read tcp: connection reset by peer")

// replace answers with status (and headers) instead of what the server sent.
func replace(resp *http.Response, status int, header ...string) *http.Response {
	resp.Body.Close()
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h, Request: resp.Request,
		Body: io.NopCloser(strings.NewReader("")), ContentLength: 0, Proto: resp.Proto, ProtoMajor: 1, ProtoMinor: 1}
}

func mustPath(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		panic(err)
	}
	return u.Path
}

func mustURLT(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
