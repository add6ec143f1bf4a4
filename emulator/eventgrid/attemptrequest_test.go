package eventgrid_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func TestAttemptKeepsTheRequestItSentAndWakesWaiters(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: status(500)})
	e, m := newEngine(t, eventgrid.Options{Seed: 1})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "inspect", EndpointURL: hook.URL})
	changed := e.Changed()
	if err := e.Publish(context.Background(), recordingEvent("ev-1")); err != nil {
		t.Fatal(err)
	}
	drain(t, e, m, "inspect")
	select {
	case <-changed:
	default:
		t.Fatal("Changed was not closed by the attempts")
	}
	as := e.Attempts(eventgrid.AttemptFilter{Subscription: "inspect"})
	if len(as) != 2 {
		t.Fatalf("%d attempts, want 2", len(as))
	}
	for i, a := range as {
		req, ok := e.AttemptRequest(a.Seq)
		if !ok {
			t.Fatalf("attempt %d: no request kept", i)
		}
		if got := req.Header.Get("aeg-delivery-count"); got != []string{"0", "1"}[i] {
			t.Errorf("attempt %d: aeg-delivery-count %q", i, got)
		}
		if !strings.Contains(req.Body, `"id":"ev-1"`) || req.BodyBytes != len(req.Body) || req.Method != "POST" || req.URL != hook.URL {
			t.Errorf("attempt %d: request %+v", i, req)
		}
	}
	if after := e.AttemptsAfter(as[0].Seq); len(after) != 1 || after[0].Seq != as[1].Seq {
		t.Errorf("AttemptsAfter(%d) = %+v", as[0].Seq, after)
	}
	if _, ok := e.AttemptRequest(99); ok {
		t.Error("an attempt that never happened has a request")
	}
}

func TestAttemptRequestHidesSecrets(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: status(200)})
	e, m := newEngine(t, eventgrid.Options{Seed: 1})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "secret", EndpointURL: hook.URL, DeliveryAttributeMappings: []eventgrid.DeliveryAttribute{
		{Name: "X-Api-Key", Type: "Static", Value: "hunter2-hunter2", IsSecret: true},
		{Name: "X-Tenant", Type: "Static", Value: "contoso"}}})
	if err := e.Publish(context.Background(), recordingEvent("ev-1")); err != nil {
		t.Fatal(err)
	}
	drain(t, e, m, "secret")
	if got := hook.received(); len(got) != 1 || got[0].Header.Get("X-Api-Key") != "hunter2-hunter2" {
		t.Fatalf("the webhook must still get the secret: %+v", got)
	}
	as := e.Attempts(eventgrid.AttemptFilter{Subscription: "secret"})
	req, ok := e.AttemptRequest(as[0].Seq)
	if !ok {
		t.Fatal("no request kept")
	}
	if v := req.Header.Get("X-Api-Key"); strings.Contains(v, "hunter2") || !strings.Contains(v, "secret") {
		t.Errorf("the kept request shows the secret attribute as %q", v)
	}
	if v := req.Header.Get("X-Tenant"); v != "contoso" {
		t.Errorf("a plain attribute is kept as %q", v)
	}
}
