package dashboard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
)

func TestRoutes(t *testing.T) {
	d := New(Sources{Journal: &fakeJournal{}, Documents: func() []Document { return []Document{{ID: "doc-1", Size: 10}} }}, Options{})
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", Prefix, 200, "acsemu dashboard"},
		{"GET", Prefix + "app.js", 200, "EventSource"},
		{"GET", Prefix + "api/view", 200, `"id":"doc-1"`},
		{"GET", Prefix + "api/attempts/x", 400, "BadRequest"},
		{"GET", Prefix + "api/attempts/1", 404, "no Event Grid engine"},
		{"GET", Prefix + "api/nope", 404, "NotFound"},
		{"GET", Prefix + "missing.js", 404, ""},
		{"POST", Prefix + "api/view", 405, "MethodNotAllowed"},
		{"HEAD", Prefix + "events", 405, ""},
		{"GET", strings.TrimSuffix(Prefix, "/"), 301, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
			t.Errorf("%s %s: %d %.200s; want %d with %q", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.contains)
		}
		if resp.StatusCode == 200 && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: no same-origin Content-Security-Policy", tt.path)
		}
	}
}

func TestModelFollowsDeletesAndResets(t *testing.T) {
	j := journal.New(0)
	docs := []Document{{ID: "kept", Size: 10}}
	d := New(Sources{Journal: j, Documents: func() []Document { return docs }}, Options{})
	j.Add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetMedia, Method: "GET", DocumentID: "kept", Status: 200, BytesSent: 10})
	j.Add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetMedia, Method: "GET", DocumentID: "gone", Status: 206, RangeServed: "bytes=0-4", BytesSent: 5})
	j.Add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetDelete, Method: "DELETE", DocumentID: "gone", Status: 200})
	v := d.build()
	states := map[string]string{}
	for _, dv := range v.Documents {
		states[dv.ID] = dv.State
	}
	if states["kept"] != "downloaded" || states["gone"] != "deleted" || len(states) != 2 {
		t.Fatalf("states %v", states)
	}
	j.Add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetMedia, Method: "GET", DocumentID: "kept", Status: 401,
		Auth:   &journal.Auth{Failure: "signature", Explanation: "signature mismatch", StringToSign: "GET\n/a\nd;h;c"},
		Header: http.Header{"X-Acsemu-String-To-Sign": {`GET\n/b\nd;h;c`}}})
	v = d.build()
	if sig := v.Signatures; len(sig) != 1 || !sig[0].ClientSent || len(sig[0].Lines) != 5 || !sig[0].Lines[1].Differs || sig[0].Lines[0].Differs || sig[0].Lines[4].Differs || sig[0].Lines[4].Name != "content hash" {
		t.Fatalf("signatures %+v", v.Signatures)
	}
	// A control-plane reset empties the emulator: the page forgets too.
	docs = nil
	j.Add(journal.Entry{Plane: journal.PlaneControl, Method: "POST", Path: "/_emulator/reset", Status: 204})
	if v = d.build(); len(v.Documents) != 0 || len(v.Signatures) != 0 {
		t.Fatalf("after a reset: %d documents, %d signatures", len(v.Documents), len(v.Signatures))
	}
}

func TestDeliveriesGroupAttemptsByBatchAndShowTheScheduleAhead(t *testing.T) {
	var attempts []eventgrid.Attempt
	add := func(attempt, status int, disp string, ids ...string) {
		attempts = append(attempts, eventgrid.Attempt{Seq: int64(len(attempts) + 1), Subscription: "Hook", EventIDs: ids,
			Attempt: attempt, Status: status, Disposition: disp})
	}
	sub := eventgrid.Subscription{SubscriptionSpec: eventgrid.SubscriptionSpec{Name: "hook",
		RetryPolicy: eventgrid.RetryPolicy{MaxDeliveryAttempts: 5}}}
	d := New(Sources{Journal: &fakeJournal{}, Documents: func() []Document { return nil },
		Subscriptions: func() []eventgrid.Subscription { return []eventgrid.Subscription{sub} },
		Attempts: func(after int64) []eventgrid.Attempt {
			var out []eventgrid.Attempt
			for _, a := range attempts {
				if a.Seq > after {
					out = append(out, a)
				}
			}
			return out
		}}, Options{})
	add(0, 503, eventgrid.DispositionRetrying, "e1")
	add(0, 200, eventgrid.DispositionDelivered, "e2")
	v := d.build()
	dels := v.Subscriptions[0].Deliveries
	if len(dels) != 2 || dels[0].Result != "Retrying" || strings.Join(dels[0].Ahead, " ") != "+30s +1m0s +5m0s" {
		t.Fatalf("after the first attempts: %+v", dels)
	}
	add(1, 200, eventgrid.DispositionDelivered, "e1")
	add(0, 200, eventgrid.DispositionDelivered, "e1") // the same event published again: a new batch
	dels = d.build().Subscriptions[0].Deliveries
	if len(dels) != 3 || len(dels[0].Attempts) != 2 || dels[0].Result != "Delivered" || dels[0].Ahead != nil || len(dels[2].Attempts) != 1 {
		t.Fatalf("after the retry: %+v", dels)
	}
}
