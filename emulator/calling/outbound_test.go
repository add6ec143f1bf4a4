package calling_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
)

// awaitCallbackAttempts long-polls the deliveries journal for n attempts of the callback pseudo-subscription.
func awaitCallbackAttempts(t *testing.T, e *env, n int) []api.Attempt {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ev := e.srv.Events()
	got, err := journal.Until(ctx, ev.AttemptsChanged, func() ([]api.Attempt, int) {
		as := ev.Attempts(api.AttemptFilter{Subscription: calling.CallbackSubscription})
		return as, len(as)
	}, n)
	if err != nil {
		t.Fatalf("%d callback attempts in the deliveries journal, want %d: %+v", len(got), n, got)
	}
	return got
}

// A callback goes through Event Grid's outbound machinery: it is listed
// with the deliveries (kind "callback"), and a delivery fault rule naming
// the callback pseudo-subscription hits it; the callback is then retried.
func TestCallbacksAreDeliveriesThatFaultRulesHit(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingActivationDelay: -1})
	ctx := context.Background()
	if _, err := e.srv.Control().AddFault(ctx, api.FaultRule{ID: "cb503",
		Match:  api.FaultMatch{Target: "delivery", Subscription: calling.CallbackSubscription},
		When:   api.FaultWhen{Times: 1},
		Action: api.FaultAction(`{"type":"status","status":503}`)}); err != nil {
		t.Fatal(err)
	}
	id := e.start(t, fmt.Sprintf(`{%s,"recordingStateCallbackUri":%q}`, locator, e.cb.url()))
	waitForWaiter(t, e.clk) // the notifier backs off after the faulted attempt
	e.clk.Advance(calling.DefaultCallbackBackoff)
	if d := e.cb.next(t); d.RecordingID != id || d.State != "active" {
		t.Fatalf("the callback that reached the endpoint: %+v", d)
	}
	got := awaitCallbackAttempts(t, e, 2)
	first, second := got[0], got[1]
	if first.Kind != eventgrid.KindCallback || first.Status != 503 || first.Fault == "" ||
		first.Disposition != eventgrid.DispositionRetrying || first.Attempt != 0 || len(first.EventIDs) != 1 {
		t.Fatalf("faulted attempt: %+v", first)
	}
	if second.Kind != eventgrid.KindCallback || second.Status != 200 || second.Fault != "" ||
		second.Disposition != eventgrid.DispositionDelivered || second.Attempt != 1 || second.EventIDs[0] != first.EventIDs[0] {
		t.Fatalf("retried attempt: %+v", second)
	}
	// The request it sent is kept as a delivery's is, the bearer token hidden.
	sent, ok := e.srv.Events().AttemptRequest(second.Seq)
	if !ok || sent.Method != "POST" || !strings.Contains(sent.URL, "/api/callbacks") || !strings.Contains(sent.Body, id) ||
		sent.Header.Get("Authorization") == "" || strings.Contains(sent.Header.Get("Authorization"), "Bearer ") {
		t.Fatalf("recorded request: %v %+v", ok, sent)
	}
	// Over the control plane too, beside Event Grid's attempts.
	listed, err := e.srv.Control().Deliveries(ctx, api.AttemptFilter{Subscription: calling.CallbackSubscription})
	if err != nil || len(listed) < 2 || listed[0].Kind != "callback" {
		t.Fatalf("GET /_emulator/deliveries: %v %+v", err, listed)
	}
}
