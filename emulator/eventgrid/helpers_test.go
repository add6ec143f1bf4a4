package eventgrid_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// t0 is the Manual clock's start in every test.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// recordingData is a RecordingFileStatusUpdated payload in the real shape.
const recordingData = `{"recordingStorageInfo":{"recordingChunks":[{"documentId":"0-eus-d12-801b","index":0,"endReason":"SessionEnded",
 "contentLocation":"https://storage.asm.skype.com/v1/objects/0-eus-d12-801b/content/audio",
 "metadataLocation":"https://storage.asm.skype.com/v1/objects/0-eus-d12-801b/content/acsmetadata",
 "deleteLocation":"https://storage.asm.skype.com/v1/objects/0-eus-d12-801b"}]},
 "recordingStartTime":"2021-07-27T15:20:23.6089755Z","recordingDurationMs":6620,"sessionEndReason":"CallEnded",
 "recordingContentType":"Audio","recordingChannelType":"Mixed","recordingFormatType":"Mp3"}`

func recordingEvent(id string) eventgrid.Event {
	return eventgrid.Event{
		ID:          id,
		Subject:     "/recording/call/c1/serverCallId/s1/recordingId/r1",
		EventType:   "Microsoft.Communication.RecordingFileStatusUpdated",
		DataVersion: "1.0",
		EventTime:   time.Date(2021, 7, 27, 15, 20, 34, 219932800, time.UTC),
		Data:        json.RawMessage(recordingData),
	}
}

// received is one request a webhook got.
type received struct {
	Method string
	Query  string
	Header http.Header
	Body   []byte
}

// hookCfg decides how a test webhook answers. nil fields: echo the
// validation code, grant the CloudEvents handshake, answer 200.
type hookCfg struct {
	validate func(w http.ResponseWriter, code string)
	options  func(w http.ResponseWriter, r *http.Request)
	notify   func(w http.ResponseWriter, r *http.Request, n int)
}

// webhook is a real HTTP endpoint that records what it receives.
type webhook struct {
	*httptest.Server
	cfg hookCfg

	mu            sync.Mutex
	handshakes    []received
	notifications []received
	got           chan received
}

func newWebhook(t *testing.T, cfg hookCfg) *webhook {
	t.Helper()
	h := &webhook{cfg: cfg, got: make(chan received, 10_000)}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *webhook) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := received{Method: r.Method, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	switch {
	case r.Method == http.MethodOptions:
		h.mu.Lock()
		h.handshakes = append(h.handshakes, rec)
		h.mu.Unlock()
		if h.cfg.options != nil {
			h.cfg.options(w, r)
			return
		}
		w.Header().Set("WebHook-Allowed-Origin", r.Header.Get("WebHook-Request-Origin"))
		w.Header().Set("WebHook-Allowed-Rate", "*")
		w.Header().Set("Allow", "POST")
	case r.Header.Get("aeg-event-type") == "SubscriptionValidation":
		h.mu.Lock()
		h.handshakes = append(h.handshakes, rec)
		h.mu.Unlock()
		var evs []struct {
			Data struct {
				ValidationCode string `json:"validationCode"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &evs)
		code := ""
		if len(evs) == 1 {
			code = evs[0].Data.ValidationCode
		}
		if h.cfg.validate != nil {
			h.cfg.validate(w, code)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"validationResponse": code})
	default:
		h.mu.Lock()
		n := len(h.notifications)
		h.notifications = append(h.notifications, rec)
		h.mu.Unlock()
		if h.cfg.notify != nil {
			h.cfg.notify(w, r, n)
		}
		h.got <- rec
	}
}

func (h *webhook) received() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.notifications...)
}

func (h *webhook) validations() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.handshakes...)
}

// next waits for the next notification.
func (h *webhook) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-h.got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the webhook received nothing within 10 s")
		return received{}
	}
}

// status answers notifications with the given statuses in turn, then 200.
func status(codes ...int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, n int) {
		if n < len(codes) {
			w.WriteHeader(codes[n])
		}
	}
}

// always answers every notification with code.
func always(code int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(code) }
}

// newEngine returns an engine on a Manual clock (unless opts has a clock),
// closed at the end of the test.
func newEngine(t *testing.T, opts eventgrid.Options) (*eventgrid.Engine, *clock.Manual) {
	t.Helper()
	var m *clock.Manual
	if opts.Clock == nil {
		m = clock.NewManual(t0)
		opts.Clock = m
	}
	e, err := eventgrid.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, m
}

// subscribe creates a subscription and insists it Succeeded.
func subscribe(t *testing.T, e *eventgrid.Engine, spec eventgrid.SubscriptionSpec) eventgrid.Subscription {
	t.Helper()
	sub, err := e.CreateSubscription(context.Background(), spec)
	if err != nil {
		t.Fatalf("CreateSubscription: %v", err)
	}
	if sub.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("subscription %s is %s: %s", sub.Name, sub.ProvisioningState, sub.FailureReason)
	}
	return sub
}

// eventually polls cond until it holds (10 s at most).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// pump advances the Manual clock by step until cond holds, but only while
// something waits on the clock (a retry timer): a fresh batch is dated by
// the clock when the worker takes it, so pushing the clock before the worker
// got to it moved its first attempt (an hour late on a loaded machine).
// Retry times do not depend on how far the clock is pushed, only on the
// schedule.
func pump(t *testing.T, m *clock.Manual, step time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !cond() {
		if m.Waiters() > 0 {
			m.Advance(step)
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// drain drains sub, pumping the clock if there is one.
func drain(t *testing.T, e *eventgrid.Engine, m *clock.Manual, sub string) {
	t.Helper()
	done := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		return e.Drain(ctx, sub) == nil
	}
	if m == nil {
		eventually(t, "the queue of "+sub+" to drain", done)
		return
	}
	pump(t, m, time.Hour, "the queue of "+sub+" to drain", done)
}

// httpGet does a GET with a private transport (no idle connections left for goleak).
func httpDo(t *testing.T, method, url, contentType string, body string) (int, []byte) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
