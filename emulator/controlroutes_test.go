package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func getAccept(t *testing.T, url, accept string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// GET /_emulator/ lists every route once: JSON for a program, a page for a browser.
func TestControlIndex(t *testing.T) {
	srv := startEmulator(t)
	resp, body := getAccept(t, srv.URL()+api.Prefix, "")
	var idx []struct{ Method, Path, Summary string }
	if err := json.Unmarshal([]byte(body), &idx); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
	}
	seen := map[string]bool{}
	for _, e := range idx {
		key := e.Method + " " + e.Path
		if seen[key] || e.Summary == "" || !strings.HasPrefix(e.Path, api.Prefix) {
			t.Errorf("index line %+v (duplicate or empty)", e)
		}
		seen[key] = true
	}
	for _, want := range []string{"GET /_emulator/requests", "POST /_emulator/faults", "POST /_emulator/subscriptions", "POST /_emulator/clock", "GET /_emulator/"} {
		if !seen[want] {
			t.Errorf("index lacks %s", want)
		}
	}
	resp, body = getAccept(t, srv.URL()+api.Prefix, "text/html,application/xhtml+xml,*/*;q=0.8")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "<code>/_emulator/requests</code>") {
		t.Errorf("browser index: %s\n%s", resp.Header.Get("Content-Type"), body)
	}
}

// Unknown routes, methods and filters answer in the control error shape.
func TestControlRouteErrors(t *testing.T) {
	srv := startEmulator(t)
	for _, tc := range []struct {
		method, path string
		status       int
		code, msg    string
	}{
		{"GET", "nothing/here", 404, "NotFound", "GET /_emulator/ lists them"},
		{"PUT", "faults", 405, "MethodNotAllowed", "use GET or POST or DELETE"},
		{"PATCH", "faults/f9", 405, "MethodNotAllowed", "use GET or DELETE"},
		{"GET", "requests?documentID=x", 400, "UnknownQueryParameter", "documentID: not a filter here; use plane, target"},
		{"GET", "deliveries?subscriptio=x", 400, "UnknownQueryParameter", "subscription, outcome, eventId, wait, count"},
		{"GET", "deadletters?sub=x", 400, "UnknownQueryParameter", "use subscription"},
		{"GET", "faults/fired?afterSeq=3", 400, "UnknownQueryParameter", "afterSeq: not a filter here; use after"},
		{"GET", "requests?wait=2h", 400, "BadRequest", "wait: must be a Go duration between 0 and 1m0s"},
		{"GET", "requests?count=-1&wait=1s", 400, "BadRequest", "count"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL()+api.Prefix+tc.path, nil)
		req.Header.Set("Content-Type", "application/json") // else the guard answers 415 first
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Error struct{ Code, Message string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&env)
		resp.Body.Close()
		if resp.StatusCode != tc.status || env.Error.Code != tc.code || !strings.Contains(env.Error.Message, tc.msg) {
			t.Errorf("%s %s: %d %+v, want %d %s ~%q", tc.method, tc.path, resp.StatusCode, env.Error, tc.status, tc.code, tc.msg)
		}
	}
}

// The fault routes: create one or a list, get, delete, clear.
func TestControlFaultRoutes(t *testing.T) {
	ctl, ctx := startEmulator(t).Control(), context.Background()
	one, err := ctl.AddFaultsJSON(ctx, []byte(`{"action":{"type":"status","status":503}}`))
	if err != nil || len(one) != 1 || one[0].Rule.ID != "f1" {
		t.Fatalf("create: %+v %v", one, err)
	}
	two, err := ctl.AddFaultsJSON(ctx, []byte(`[{"id":"cut","action":{"type":"reset"}},{"match":{"target":"delivery"},"action":{"type":"drop"}}]`))
	if err != nil || len(two) != 2 || two[1].Rule.ID != "f2" {
		t.Fatalf("create list: %+v %v", two, err)
	}
	var ae *control.APIError
	_, err = ctl.AddFaultsJSON(ctx, []byte(`[{"action":{"type":"drop"}},{"action":{"type":"reset","afterPercent":150}}]`))
	if !errors.As(err, &ae) || ae.StatusCode != 400 || !strings.Contains(ae.Message, "[1].action.afterPercent") {
		t.Errorf("refused list: %v", err)
	}
	if st, err := ctl.Fault(ctx, "cut"); err != nil || !strings.Contains(string(st.Rule.Action), `"reset"`) {
		t.Errorf("get: %+v %v", st, err)
	}
	if err := ctl.DeleteFault(ctx, "cut"); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.Fault(ctx, "cut"); !control.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, _ := ctl.Faults(ctx); len(rs) != 0 {
		t.Errorf("after clear: %+v", rs)
	}
}

// A long poll answers as soon as enough entries match, not at its timeout;
// the client's WaitRequests uses it.
func TestWaitRequestsLongPoll(t *testing.T) {
	srv := startEmulator(t)
	ctl, ctx := srv.Control(), context.Background()
	f := api.RequestFilter{Plane: api.PlaneControl, PathPrefix: api.Prefix + "config"}
	done := make(chan []api.Entry, 1)
	errc := make(chan error, 1)
	go func() {
		es, err := ctl.WaitRequests(ctx, f, 2, api.MaxWait)
		done <- es
		errc <- err
	}()
	for range 2 {
		if _, err := ctl.Config(ctx); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case es := <-done:
		if err := <-errc; err != nil || len(es) != 2 {
			t.Fatalf("got %d entries, %v", len(es), err)
		}
	case <-time.After(api.MaxWait - time.Second):
		t.Fatal("the long poll did not answer when the entries arrived")
	}
	// A wait that runs out answers what there is.
	es, err := ctl.WaitRequests(ctx, f, 3, 10*time.Millisecond)
	if err != nil || len(es) != 2 {
		t.Errorf("ran out: %d %v", len(es), err)
	}
}

// GET deliveries?wait= answers when the attempt is made, woken by the
// engine's AttemptsChanged rather than a timer.
func TestDeliveriesLongPoll(t *testing.T) {
	srv := startEmulator(t)
	hook := emulatortest.NewWebhook(t)
	ctl, ctx := srv.Control(), context.Background()
	if _, err := ctl.CreateSubscription(ctx, api.SubscriptionSpec{Name: "poll", EndpointURL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		n    int
		body string
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := http.Get(srv.URL() + api.Prefix + "deliveries?subscription=poll&wait=1m&count=1")
		if err != nil {
			done <- answer{-1, err.Error()}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var as []api.Attempt
		_ = json.Unmarshal(body, &as)
		done <- answer{len(as), fmt.Sprint(resp.StatusCode, " ", string(body))}
	}()
	if _, err := ctl.PublishEvents(ctx, api.Event{Subject: "s", EventType: "t", Data: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-done:
		if a.n != 1 {
			t.Fatalf("got %s", a.body)
		}
	case <-time.After(api.MaxWait - time.Second):
		t.Fatal("the long poll did not answer when the attempt was made")
	}
	<-hook.Received()
}

// requests/count?wait= holds until the count is reached.
func TestCountLongPoll(t *testing.T) {
	srv := startEmulator(t)
	done := make(chan string, 1)
	go func() {
		resp, err := http.Get(srv.URL() + api.Prefix + "requests/count?plane=control&pathPrefix=" + api.Prefix + "health&wait=1m&count=2")
		if err != nil {
			done <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- string(b)
	}()
	for range 2 {
		if _, err := srv.Control().Health(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case body := <-done:
		var c api.Count
		if err := json.Unmarshal([]byte(body), &c); err != nil || c.Count != 2 {
			t.Fatalf("got %s", body)
		}
	case <-time.After(api.MaxWait - time.Second):
		t.Fatal("the count long poll did not answer")
	}
}
