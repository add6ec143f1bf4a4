package calling_test

import (
	"bytes"
	"encoding/json"
	"github.com/acsemu/acsemu/emulator/api"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// t0 is where every manual clock starts.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

const apiVersion = "api-version=2026-03-12"

// env is an emulator on a manual clock, a client signing with that clock and
// a callback endpoint.
type env struct {
	srv *emulator.Server
	clk *clock.Manual
	hc  *http.Client
	cb  *callbackSink
}

func newEnv(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	clk := clock.NewManual(t0)
	opts.Clock = clk
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	srv := emulatortest.Start(t, opts)
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, clk: clk, hc: signer.New(cs, signer.WithClock(clk)).Client(), cb: newCallbackSink(t)}
}

// response is a finished exchange.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a signed request to path (relative to the emulator) with optional JSON body.
func (e *env) do(t *testing.T, method, path, body string, header http.Header) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: strings.TrimSpace(string(b))}
}

// start starts a recording with body and returns its id.
func (e *env) start(t *testing.T, body string) string {
	t.Helper()
	r := e.do(t, http.MethodPost, "/calling/recordings?"+apiVersion, body, nil)
	if r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	var st api.RecordingStateResponse
	if err := json.Unmarshal([]byte(r.body), &st); err != nil {
		t.Fatal(err)
	}
	return st.RecordingID
}

// must sends a request and checks its status.
func (e *env) must(t *testing.T, method, path string, want int) {
	t.Helper()
	if r := e.do(t, method, path, "", nil); r.status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, want)
	}
}

// callbackSink is an endpoint that records RecordingStateChanged callbacks.
// Statuses answered in turn come from fail (then 200).
type callbackSink struct {
	srv   *httptest.Server
	got   chan calling.StateChangedData
	calls atomic.Int32
	fail  []int
}

func newCallbackSink(t *testing.T) *callbackSink {
	s := &callbackSink{got: make(chan calling.StateChangedData, 64)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.calls.Add(1))
		if n <= len(s.fail) {
			w.WriteHeader(s.fail[n-1])
			return
		}
		var evs []calling.CloudEvent
		body, _ := io.ReadAll(r.Body)
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&evs); err != nil || len(evs) != 1 ||
			evs[0].Type != calling.EventTypeStateChanged || evs[0].SpecVersion != "1.0" || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("bad callback: %v %s", err, body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var d calling.StateChangedData
		if err := json.Unmarshal(evs[0].Data, &d); err != nil {
			t.Errorf("bad callback data: %v", err)
		}
		if evs[0].Source != "calling/recordings/"+d.ServerCallID+"/"+d.RecordingID+"/RecordingStateChanged" || evs[0].Subject != evs[0].Source {
			t.Errorf("callback source %q subject %q", evs[0].Source, evs[0].Subject)
		}
		s.got <- d
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *callbackSink) url() string { return s.srv.URL + "/api/callbacks?x=1" }

// next waits for the next delivered callback (a real-time guard, not a sleep).
func (s *callbackSink) next(t *testing.T) calling.StateChangedData {
	t.Helper()
	select {
	case d := <-s.got:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no callback within 10s")
		return calling.StateChangedData{}
	}
}

// expectStates checks the next callbacks' states.
func (s *callbackSink) expectStates(t *testing.T, id string, states ...string) {
	t.Helper()
	for _, want := range states {
		d := s.next(t)
		if d.RecordingID != id || d.State != want {
			t.Fatalf("callback %s %s, want %s %s", d.RecordingID, d.State, id, want)
		}
	}
}

// waitForWaiter spins until a goroutine is parked on the manual clock.
func waitForWaiter(t *testing.T, clk *clock.Manual) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Waiters() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing waits on the clock")
		}
		runtime.Gosched()
	}
}

// jsonEq reports whether two JSON documents are equal.
func jsonEq(t *testing.T, got, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal([]byte(got), &a); err != nil {
		t.Fatalf("not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("bad want: %s", want)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
