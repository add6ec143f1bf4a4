package faults_test

import (
	"bytes"
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
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/httprange"
	"github.com/acsemu/acsemu/emulator/journal"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// content returns n deterministic bytes.
func content(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// server is a real HTTP server that serves one document the way the
// emulator's data plane does, with an injector in the path.
type server struct {
	*httptest.Server
	inj   *faults.Injector
	body  []byte
	notes chan string // the Fault text of each request, in order
}

const mediaPath = "/v1/objects/doc-1/content/audio"

// newServer starts a server with rules (JSON list) on seed 1.
func newServer(t *testing.T, size int, rules string, opts ...func(*faults.Options)) *server {
	t.Helper()
	return newUnstarted(t, size, rules, opts...).start(t, false)
}

// newTLSServer is newServer over HTTPS.
func newTLSServer(t *testing.T, size int, rules string) *server {
	t.Helper()
	return newUnstarted(t, size, rules).start(t, true)
}

func newUnstarted(t *testing.T, size int, rules string, opts ...func(*faults.Options)) *server {
	t.Helper()
	o := faults.Options{Seed: 1}
	for _, f := range opts {
		f(&o)
	}
	if rules != "" {
		rs, err := faults.ParseRules([]byte(rules))
		if err != nil {
			t.Fatal(err)
		}
		o.Rules = rs
	}
	inj, err := faults.New(o)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{inj: inj, body: content(size), notes: make(chan string, 10_000)}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	return s
}

func (s *server) start(t *testing.T, tls bool) *server {
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(func() { s.Close(); _ = s.inj.Close() })
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	target := journal.TargetMedia
	if strings.HasSuffix(r.URL.Path, "/acsmetadata") {
		target = journal.TargetMetadata
	}
	call := s.inj.Begin(r, faults.Request{Target: target, DocumentID: "doc-1"})
	defer func() { s.notes <- call.Finish(w) }()
	if call.Before(w) {
		return
	}
	obj := httprange.Object{Content: bytes.NewReader(s.body), Size: int64(len(s.body)), ContentType: "audio/wav", ETag: `"v1"`}
	opts := httprange.Options{}
	httprange.Serve(call.Download(w, &obj, &opts), r, obj, opts)
}

// note waits for the Fault text of the next finished request.
func (s *server) note(t *testing.T) string {
	t.Helper()
	select {
	case n := <-s.notes:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no request finished within 10 s")
		return ""
	}
}

// client returns an HTTP client with its own transport (TLS-aware), closed
// at the end of the test so no connection outlives it.
func (s *server) client(t *testing.T) *http.Client {
	c := s.Client()
	tr := c.Transport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// get sends a GET for the media with extra headers (name, value, ...).
func (s *server) get(t *testing.T, c *http.Client, kv ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+mediaPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return b
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}

// webhook is an Event Grid endpoint that records notifications.
type webhook struct {
	*httptest.Server
	mu   sync.Mutex
	got  []*http.Request
	body [][]byte
	at   []time.Time
}

func newWebhook(t *testing.T) *webhook {
	h := &webhook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if emulatortest.AnswerValidation(w, r, b) {
			return
		}
		h.mu.Lock()
		h.got, h.body, h.at = append(h.got, r), append(h.body, b), append(h.at, time.Now())
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *webhook) bodies() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.body...)
}

// eventgridAll selects every attempt.
var eventgridAll = eventgrid.AttemptFilter{}

// deliveryRig is an Event Grid engine whose deliveries go through an injector.
type deliveryRig struct {
	inj  *faults.Injector
	eg   *eventgrid.Engine
	hook *webhook
}

// newDeliveryRig subscribes "subs" (batches of up to batch events) to a webhook.
func newDeliveryRig(t *testing.T, rules string, batch int) *deliveryRig {
	t.Helper()
	rs, err := faults.ParseRules([]byte(rules))
	if err != nil {
		t.Fatal(err)
	}
	inj, err := faults.New(faults.Options{Seed: 1, Rules: rs})
	if err != nil {
		t.Fatal(err)
	}
	eg, err := eventgrid.New(eventgrid.Options{Clock: clock.Real{}, TimeScale: 0.001, DeliveryHook: inj.DeliveryHook(), DeliveryTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rig := &deliveryRig{inj: inj, eg: eg, hook: newWebhook(t)}
	t.Cleanup(func() { _ = eg.Close(); _ = inj.Close() })
	sub, err := eg.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "subs", EndpointURL: rig.hook.URL, MaxEventsPerBatch: batch})
	if err != nil || sub.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("subscription: %v %+v", err, sub)
	}
	return rig
}

// publish publishes events e1..en in one call and waits for the queue to drain.
func (rig *deliveryRig) publish(t *testing.T, n int) {
	t.Helper()
	var evs []eventgrid.Event
	for i := 1; i <= n; i++ {
		evs = append(evs, eventgrid.Event{ID: "e" + string(rune('0'+i)), Subject: "s", EventType: "Test.Event", Data: json.RawMessage(`{}`)})
	}
	if err := rig.eg.Publish(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := rig.eg.Drain(ctx, "subs"); err != nil {
		t.Fatalf("drain: %v", err)
	}
}
