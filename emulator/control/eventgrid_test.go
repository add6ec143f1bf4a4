package control_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// webhookServer validates Event Grid subscriptions and answers deliveries with status.
func webhookServer(t *testing.T, status func(n int) int) (*httptest.Server, <-chan http.Header) {
	got := make(chan http.Header, 100)
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set("WebHook-Allowed-Origin", "*")
			return
		}
		if r.Header.Get("aeg-event-type") == "SubscriptionValidation" {
			w.WriteHeader(http.StatusOK) // manual validation
			return
		}
		w.WriteHeader(status(n))
		n++
		got <- r.Header.Clone()
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestEventGridClient(t *testing.T) {
	m := clock.NewManual(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	var base string
	e, err := eventgrid.New(eventgrid.Options{Clock: m, PublicURL: func() string { return base }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	emu := httptest.NewServer(emulator.NewControlHandler(emulator.ControlParts{Events: e}))
	defer emu.Close()
	base = emu.URL
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, err := control.NewClient(emu.URL, &http.Client{Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hook, got := webhookServer(t, func(n int) int {
		if n == 0 {
			return 400
		}
		return 200
	})

	// Invalid settings: 400 naming the field.
	_, err = c.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "s", EndpointURL: hook.URL, MaxEventsPerBatch: 9999})
	var ae *control.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || !strings.Contains(ae.Message, "maxEventsPerBatch: must be between 1 and 5000") {
		t.Fatalf("got %v", err)
	}

	// Manual validation through the client.
	sub, err := c.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "s", EndpointURL: hook.URL, DeadLetter: true})
	if err != nil || sub.ProvisioningState != eventgrid.StateAwaitingManualAction {
		t.Fatalf("%v %+v", err, sub)
	}
	if _, err := c.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "s", EndpointURL: hook.URL}); err == nil {
		t.Error("created a duplicate")
	}
	code := sub.ValidationURL[strings.Index(sub.ValidationURL, "code=")+5:]
	if sub, err = c.CompleteValidation(ctx, "s", code); err != nil || sub.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("%v %+v", err, sub)
	}
	subs, err := c.Subscriptions(ctx)
	if err != nil || len(subs) != 1 || subs[0].Name != "s" || subs[0].MaxEventsPerBatch != 1 || subs[0].RetryPolicy.MaxDeliveryAttempts != 30 {
		t.Fatalf("%v %+v", err, subs)
	}

	// Publish: the first event is refused with 400 and dead-lettered.
	ids, err := c.PublishEvents(ctx, eventgrid.Event{ID: "first", Subject: "/a", EventType: "T", Data: []byte(`{}`)})
	if err != nil || len(ids) != 1 || ids[0] != "first" {
		t.Fatalf("%v %v", err, ids)
	}
	<-got
	if err := c.Drain(ctx, "s", time.Second); err != nil {
		t.Fatal(err)
	}
	dls, err := c.DeadLetters(ctx, "s")
	if err != nil || len(dls) != 1 || dls[0].LastDeliveryOutcome != "BadRequest" || dls[0].DeliveryAttempts != 1 {
		t.Fatalf("%v %+v", err, dls)
	}

	// Publish CloudEvents JSON; delivered in the subscription's schema.
	ids, err = c.PublishJSON(ctx, []byte(`[{"specversion":"1.0","id":"ce","source":"/src","type":"T","data":{"x":1}}]`))
	if err != nil || len(ids) != 1 || ids[0] != "ce" {
		t.Fatalf("%v %v", err, ids)
	}
	if h := <-got; h.Get("aeg-delivery-count") != "0" {
		t.Errorf("headers %v", h)
	}
	if err := c.Drain(ctx, "s", time.Second); err != nil {
		t.Fatal(err)
	}
	atts, err := c.Deliveries(ctx, eventgrid.AttemptFilter{Subscription: "s", Outcome: "Delivered"})
	if err != nil || len(atts) != 1 || atts[0].EventIDs[0] != "ce" || atts[0].Status != 200 {
		t.Fatalf("%v %+v", err, atts)
	}
	if atts, _ := c.Deliveries(ctx, eventgrid.AttemptFilter{EventID: "first"}); len(atts) != 1 || atts[0].Outcome != "BadRequest" {
		t.Errorf("by event id: %+v", atts)
	}

	// Update, then delete.
	if sub, err = c.UpdateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "s", EndpointURL: hook.URL, MaxEventsPerBatch: 10}); err != nil ||
		sub.MaxEventsPerBatch != 10 || sub.ProvisioningState != eventgrid.StateAwaitingManualAction {
		t.Fatalf("%v %+v", err, sub)
	}
	if err := c.DeleteSubscription(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscription(ctx, "s"); !control.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
}

func TestEventGridClientDrainTimeout(t *testing.T) {
	m := clock.NewManual(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	e, err := eventgrid.New(eventgrid.Options{Clock: m})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	emu := httptest.NewServer(emulator.NewControlHandler(emulator.ControlParts{Events: e}))
	defer emu.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c, _ := control.NewClient(emu.URL, &http.Client{Transport: tr})
	ctx := context.Background()
	hook, got := webhookServer(t, func(int) int { return 503 })
	if _, err := c.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "busy", EndpointURL: hook.URL,
		EventDeliverySchema: eventgrid.CloudEventSchema}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishEvents(ctx, eventgrid.Event{Subject: "/a", EventType: "T"}); err != nil {
		t.Fatal(err)
	}
	<-got
	for len(e.Attempts(eventgrid.AttemptFilter{})) == 0 {
		runtime.Gosched() // the engine journals the attempt right after the answer
	}
	err = c.Drain(ctx, "busy", 30*time.Millisecond)
	var ae *control.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 408 || ae.Code != "DrainTimeout" || !strings.Contains(ae.Message, "awaiting a retry") {
		t.Fatalf("got %v", err)
	}
	// 413 above 1 MB per event.
	_, err = c.PublishJSON(ctx, []byte(`[{"eventType":"T","subject":"s","data":"`+strings.Repeat("x", 1<<20)+`"}]`))
	if !errors.As(err, &ae) || ae.StatusCode != 413 {
		t.Errorf("big event: %v", err)
	}
	// Control-plane errors keep the {"error":{...}} shape.
	if _, err := c.Subscription(ctx, "nope"); !control.IsNotFound(err) {
		t.Errorf("unknown subscription: %v", err)
	}
}
