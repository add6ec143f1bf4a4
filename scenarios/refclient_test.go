package scenarios_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/scenarios/match"
)

// refClient is the reference client as an app runs it: the webhook handler
// (behind an httptest server) queues jobs in a durable store, and a runner
// downloads them into a temporary folder.
type refClient struct {
	URL   string // the webhook's URL, to subscribe
	Dir   string // the output folder
	Store *jobs.Store
	DL    *download.Downloader
	Hook  *webhook.Handler

	mu         sync.Mutex
	deliveries []delivery // the notifications the webhook received
}

// delivery is a notification as the webhook received it.
type delivery struct {
	ContentType string
	Body        []byte
}

// startRefClient starts a reference client for srv. dl may set the
// downloader's clock, transport, sleep...; Dir and State are filled in.
// Everything stops when the spec ends.
func startRefClient(srv *emulator.Server, dl download.Options, hook webhook.Options) *refClient {
	GinkgoHelper()
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	Expect(err).NotTo(HaveOccurred())
	root := GinkgoT().TempDir()
	rc := &refClient{Dir: filepath.Join(root, "out")}
	Expect(os.Mkdir(rc.Dir, 0o755)).To(Succeed())
	rc.Store, err = jobs.Open(filepath.Join(root, "jobs.db"), jobs.Options{})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(rc.Store.Close)
	dl.Dir, dl.State = rc.Dir, rc.Store
	rc.DL, err = download.New(cs, dl)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(rc.DL.Close)
	hook.Check = rc.DL.Check
	rc.Hook = webhook.New(rc.Store, hook)
	hs := httptest.NewServer(http.HandlerFunc(rc.tap))
	DeferCleanup(hs.Close)
	rc.URL = hs.URL + "/api/events"

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	runner := &download.Runner{Store: rc.Store, Downloader: rc.DL, Workers: 2,
		RetryDelay: func(int) time.Duration { return 20 * time.Millisecond }}
	go func() {
		defer GinkgoRecover()
		defer close(done)
		_ = runner.Run(ctx)
	}()
	DeferCleanup(func() { cancel(); <-done })
	return rc
}

// tap notes every notification, then hands the request to the webhook.
func (rc *refClient) tap(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.Header.Get("aeg-event-type") == "Notification" {
		body, err := io.ReadAll(io.LimitReader(r.Body, webhook.DefaultMaxBody+1))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.deliveries = append(rc.deliveries, delivery{ContentType: r.Header.Get("Content-Type"), Body: body})
		rc.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rc.Hook.ServeHTTP(w, r)
}

// received returns the notifications received so far.
func (rc *refClient) received() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.deliveries...)
}

// subscribe creates an Event Grid subscription to the client's webhook and
// expects its validation handshake to succeed.
func (rc *refClient) subscribe(ctx context.Context, srv *emulator.Server, spec eventgrid.SubscriptionSpec) eventgrid.Subscription {
	GinkgoHelper()
	spec.EndpointURL = rc.URL
	sub, err := srv.Control().CreateSubscription(ctx, spec)
	Expect(err).NotTo(HaveOccurred())
	Expect(sub).To(match.BeValidated())
	return sub
}

// state is the state of a document's job ("" if the webhook never queued it).
func (rc *refClient) state(id string) jobs.State {
	j, err := rc.Store.Get(id)
	if errors.Is(err, jobs.ErrNotFound) {
		return ""
	}
	Expect(err).NotTo(HaveOccurred())
	return j.State
}

// awaitDone waits until every chunk of rec is downloaded.
func (rc *refClient) awaitDone(rec api.Recording) {
	GinkgoHelper()
	for _, d := range rec.Documents {
		Eventually(rc.state).WithArguments(d.ID).WithTimeout(downloadTimeout).Should(Equal(jobs.Done), "document %d (%s)", d.Index, d.ID)
	}
}

// expectFiles checks that the output folder holds every chunk's media and
// metadata with the control plane's SHA-256, and no partial file.
func (rc *refClient) expectFiles(rec api.Recording, ext string) {
	GinkgoHelper()
	for _, d := range rec.Documents {
		Expect(filepath.Join(rc.Dir, d.ID+"."+ext)).To(match.BeFileWithSHA256(d.SHA256))
		Expect(filepath.Join(rc.Dir, d.ID+".metadata.json")).To(match.BeFileWithSHA256(d.MetadataSHA256))
	}
	Expect(filepath.Glob(filepath.Join(rc.Dir, "*.partial"))).To(BeEmpty())
}

// createRecording creates a recording (publishing its event unless
// spec.NoEvent) and waits for its SHA-256s, which creating does not compute.
func createRecording(ctx context.Context, srv *emulator.Server, spec api.RecordingSpec) api.Recording {
	GinkgoHelper()
	rec, err := srv.Control().CreateRecording(ctx, spec)
	Expect(err).NotTo(HaveOccurred())
	rec, err = srv.Control().WaitHashes(ctx, rec.ID)
	Expect(err).NotTo(HaveOccurred())
	return rec
}

// drain waits until the subscription's queue is empty.
func drain(ctx context.Context, srv *emulator.Server, sub string) {
	GinkgoHelper()
	Expect(srv.Control().Drain(ctx, sub, eventTimeout)).To(Succeed())
}

// manualClock is a manual clock near the wall clock, so that requests the
// reference client signs on either stay within the allowed skew.
func manualClock() *clock.Manual {
	return clock.NewManual(time.Now().UTC().Truncate(time.Second))
}

// advancingSleep is a download.SleepFunc for a manual clock: it records the
// wait and advances the clock instead of waiting, so a Retry-After of
// seconds passes at once, on the emulator's clock too.
type advancingSleep struct {
	clk   *clock.Manual
	mu    sync.Mutex
	slept time.Duration
}

func (s *advancingSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.slept += d
	s.mu.Unlock()
	s.clk.Advance(d)
	return ctx.Err()
}

func (s *advancingSleep) total() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slept
}

// signedDo sends a request signed with the emulator's key (and clock, if given).
func signedDo(srv *emulator.Server, clk clock.Clock, method, url string) *http.Response {
	GinkgoHelper()
	var opts []signer.Option
	if clk != nil {
		opts = append(opts, signer.WithClock(clk))
	}
	req, err := http.NewRequest(method, url, nil)
	Expect(err).NotTo(HaveOccurred())
	resp, err := signedClient(srv, opts...).Do(req)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(resp.Body.Close)
	return resp
}
