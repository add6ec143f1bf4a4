package eventgrid_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
	"github.com/acsemu/acsemu/emulator/wire"
)

func TestSettingsAreChecked(t *testing.T) {
	e, _ := newEngine(t, eventgrid.Options{})
	ok := eventgrid.SubscriptionSpec{Name: "ok", EndpointURL: "http://127.0.0.1:1/x"}
	for _, tc := range []struct {
		field string
		edit  func(*eventgrid.SubscriptionSpec)
	}{
		{"name", func(s *eventgrid.SubscriptionSpec) { s.Name = "bad_name" }},
		{"name", func(s *eventgrid.SubscriptionSpec) { s.Name = strings.Repeat("a", 65) }},
		{"endpointUrl", func(s *eventgrid.SubscriptionSpec) { s.EndpointURL = "ftp://x" }},
		{"eventDeliverySchema", func(s *eventgrid.SubscriptionSpec) { s.EventDeliverySchema = "CustomInputSchema" }},
		{"retryPolicy.maxDeliveryAttempts", func(s *eventgrid.SubscriptionSpec) { s.RetryPolicy.MaxDeliveryAttempts = 31 }},
		{"retryPolicy.eventTimeToLiveInMinutes", func(s *eventgrid.SubscriptionSpec) { s.RetryPolicy.EventTimeToLiveInMinutes = 1441 }},
		{"maxEventsPerBatch", func(s *eventgrid.SubscriptionSpec) { s.MaxEventsPerBatch = 5001 }},
		{"preferredBatchSizeInKilobytes", func(s *eventgrid.SubscriptionSpec) { s.PreferredBatchSizeInKilobytes = -1 }},
		{"timeScale", func(s *eventgrid.SubscriptionSpec) { s.TimeScale = -1 }},
		{"deliveryAttributeMappings", func(s *eventgrid.SubscriptionSpec) {
			s.DeliveryAttributeMappings = make([]eventgrid.DeliveryAttribute, 11)
		}},
		{"deliveryAttributeMappings[0].name", func(s *eventgrid.SubscriptionSpec) {
			s.DeliveryAttributeMappings = []eventgrid.DeliveryAttribute{{Name: "aeg-event-type", Value: "x"}}
		}},
		{"deliveryAttributeMappings[0].sourceField", func(s *eventgrid.SubscriptionSpec) {
			s.DeliveryAttributeMappings = []eventgrid.DeliveryAttribute{{Name: "X", Type: "Dynamic"}}
		}},
		{"filter.advancedFilters[0].operatorType", func(s *eventgrid.SubscriptionSpec) {
			s.Filter.AdvancedFilters = []filter.Advanced{{OperatorType: "NumberIsBig", Key: "data.x", Value: 1.0}}
		}},
	} {
		spec := ok
		tc.edit(&spec)
		_, err := e.CreateSubscription(context.Background(), spec)
		var we *wire.Error
		if !errors.As(err, &we) || we.Status != 400 || !strings.HasPrefix(we.Target, tc.field) || !strings.Contains(we.Message, tc.field) {
			t.Errorf("%s: got %v (target %q)", tc.field, err, targetOf(err))
		}
	}
	if len(e.Subscriptions()) != 0 {
		t.Error("an invalid subscription was created")
	}
}

func TestNamesIgnoreCase(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	e, _ := newEngine(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "Rec-Sub", EndpointURL: hook.URL})
	_, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "rec-sub", EndpointURL: hook.URL})
	var we *wire.Error
	if !errors.As(err, &we) || we.Status != 409 {
		t.Errorf("duplicate in another case: %v", err)
	}
	if s, err := e.Subscription("REC-SUB"); err != nil || s.Name != "Rec-Sub" {
		t.Errorf("%v %+v", err, s)
	}
	if s, err := e.UpdateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "rec-SUB", EndpointURL: hook.URL}); err != nil || s.Name != "Rec-Sub" {
		t.Errorf("%v %+v", err, s)
	}
	if err := e.DeleteSubscription("rec-sub"); err != nil {
		t.Error(err)
	}
}

func targetOf(err error) string {
	var we *wire.Error
	if errors.As(err, &we) {
		return we.Target
	}
	return ""
}

func TestQueueIsBounded(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: always(500)})
	e, _ := newEngine(t, eventgrid.Options{MaxQueuedEvents: 5})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "full", EndpointURL: hook.URL})
	for i := range 5 {
		if err := e.Publish(context.Background(), recordingEvent(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	err := e.Publish(context.Background(), recordingEvent("one-too-many"), recordingEvent("and-another"))
	var we *wire.Error
	if !errors.As(err, &we) || we.Status != 503 || we.Code != "QueueFull" || !strings.Contains(we.Message, `"full"`) {
		t.Fatalf("got %v", err)
	}
	if s, _ := e.Subscription("full"); s.Queued != 5 {
		t.Errorf("queued %d, want 5 (all or nothing)", s.Queued)
	}
}

func TestEventSizeLimit(t *testing.T) {
	e, _ := newEngine(t, eventgrid.Options{})
	big := recordingEvent("big")
	big.Data = json.RawMessage(`"` + strings.Repeat("x", eventgrid.MaxEventSize) + `"`)
	err := e.Publish(context.Background(), big)
	var we *wire.Error
	if !errors.As(err, &we) || we.Status != 413 {
		t.Fatalf("got %v", err)
	}
}

func TestDrainTimesOutWithAReason(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: always(500)})
	e, _ := newEngine(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "stuck", EndpointURL: hook.URL})
	_ = e.Publish(context.Background(), recordingEvent("s1"))
	hook.next(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := e.Drain(ctx, "stuck")
	var we *wire.Error
	if !errors.As(err, &we) || we.Status != 408 || !strings.Contains(we.Message, "1 undelivered events") {
		t.Fatalf("got %v", err)
	}
	if err := e.Drain(context.Background(), "nope"); !errors.As(err, &we) || we.Status != 404 {
		t.Errorf("unknown subscription: %v", err)
	}
}
