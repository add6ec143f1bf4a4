package eventgrid_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azsystemevents"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// emulatorServer serves the engine's control routes, as the emulator does,
// and points the engine's PublicURL at it.
func emulatorServer(t *testing.T, opts eventgrid.Options) (*eventgrid.Engine, *httptest.Server) {
	t.Helper()
	var srv *httptest.Server
	opts.PublicURL = func() string { return srv.URL }
	e, _ := newEngine(t, opts)
	srv = httptest.NewServer(emulator.NewControlHandler(emulator.ControlParts{Events: e}))
	t.Cleanup(srv.Close)
	return e, srv
}

func TestEventGridHandshakeSucceeds(t *testing.T) {
	// The webhook answers like a receiver built on the Azure SDK's models.
	var validation azsystemevents.EventGridEvent
	var hook *webhook
	hook = newWebhook(t, hookCfg{validate: func(w http.ResponseWriter, _ string) {
		body := hook.validations()[0].Body
		var evs []azsystemevents.EventGridEvent
		if err := json.Unmarshal(body, &evs); err != nil || len(evs) != 1 {
			t.Errorf("validation body %s: %v", body, err)
			return
		}
		validation = evs[0]
		var data azsystemevents.SubscriptionValidationEventData
		if err := json.Unmarshal(evs[0].Data.([]byte), &data); err != nil {
			t.Errorf("validation data: %v", err)
			return
		}
		_ = json.NewEncoder(w).Encode(azsystemevents.SubscriptionValidationResponse{ValidationResponse: data.ValidationCode})
	}})
	e, srv := emulatorServer(t, eventgrid.Options{Seed: 7, Topic: "/subscriptions/x/topic"})
	sub := subscribe(t, e, eventgrid.SubscriptionSpec{Name: "recordings", EndpointURL: hook.URL + "/api/updates?code=s3cret"})

	hs := hook.validations()
	if len(hs) != 1 {
		t.Fatalf("%d handshakes, want 1", len(hs))
	}
	h := hs[0]
	if h.Method != http.MethodPost || h.Header.Get("aeg-event-type") != "SubscriptionValidation" ||
		h.Header.Get("aeg-subscription-name") != "RECORDINGS" || h.Query != "code=s3cret" {
		t.Errorf("handshake request %s ?%s headers %v", h.Method, h.Query, h.Header)
	}
	if *validation.EventType != azsystemevents.TypeSubscriptionValidation || *validation.Subject != "" ||
		*validation.MetadataVersion != "1" || *validation.DataVersion != "1" || *validation.Topic != "/subscriptions/x/topic" ||
		validation.EventTime == nil || *validation.ID == "" {
		t.Errorf("validation event %s", h.Body)
	}
	var raw []map[string]json.RawMessage
	_ = json.Unmarshal(h.Body, &raw)
	var data struct{ ValidationCode, ValidationURL string }
	_ = json.Unmarshal(raw[0]["data"], &data)
	if !strings.HasPrefix(data.ValidationURL, srv.URL+"/_emulator/subscriptions/recordings/validate?code=") || data.ValidationCode == "" {
		t.Errorf("validation data %s", raw[0]["data"])
	}
	if sub.FailureReason != "" || sub.ValidationURL != "" {
		t.Errorf("succeeded subscription shows %q %q", sub.FailureReason, sub.ValidationURL)
	}
}

func TestEventGridHandshakeFails(t *testing.T) {
	for _, tc := range []struct {
		name     string
		validate func(w http.ResponseWriter, code string)
		state    string
		reason   string
	}{
		{"wrong code", func(w http.ResponseWriter, code string) {
			_, _ = w.Write([]byte(`{"validationResponse":"not-the-code"}`))
		}, eventgrid.StateFailed, `answered validationResponse "not-the-code" but the validationCode sent was`},
		{"500", func(w http.ResponseWriter, _ string) { w.WriteHeader(500) }, eventgrid.StateFailed, "500 Internal Server Error"},
		{"202", func(w http.ResponseWriter, code string) {
			w.WriteHeader(202)
			_, _ = w.Write([]byte(`{"validationResponse":"` + code + `"}`))
		}, eventgrid.StateFailed, "202 Accepted is not recognised"},
		{"wrong case", func(w http.ResponseWriter, code string) {
			_, _ = w.Write([]byte(`{"ValidationResponse":"` + code + `"}`))
		}, eventgrid.StateAwaitingManualAction, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hook := newWebhook(t, hookCfg{validate: tc.validate})
			e, _ := newEngine(t, eventgrid.Options{})
			sub, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "s", EndpointURL: hook.URL})
			if err != nil {
				t.Fatal(err)
			}
			if sub.ProvisioningState != tc.state || !strings.Contains(sub.FailureReason, tc.reason) {
				t.Fatalf("state %s reason %q, want %s containing %q", sub.ProvisioningState, sub.FailureReason, tc.state, tc.reason)
			}
			if tc.state == eventgrid.StateAwaitingManualAction && !strings.Contains(sub.ProvisioningDetail, "case-sensitive") {
				t.Errorf("detail %q does not explain the case", sub.ProvisioningDetail)
			}
			// A Failed subscription gets no events.
			if err := e.Publish(context.Background(), recordingEvent("e1")); err != nil {
				t.Fatal(err)
			}
			if got, _ := e.Subscription("s"); got.Queued != 0 || len(hook.received()) != 0 {
				t.Errorf("a %s subscription was given events", got.ProvisioningState)
			}
		})
	}
}

func TestManualValidation(t *testing.T) {
	hook := newWebhook(t, hookCfg{validate: func(http.ResponseWriter, string) {}}) // 200, no body
	e, _ := emulatorServer(t, eventgrid.Options{})
	sub, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "manual", EndpointURL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	if sub.ProvisioningState != eventgrid.StateAwaitingManualAction || sub.ValidationURL == "" ||
		!sub.ValidationExpires.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("got %s, url %q, expires %v", sub.ProvisioningState, sub.ValidationURL, sub.ValidationExpires)
	}
	// Events published while awaiting are not for this subscription.
	_ = e.Publish(context.Background(), recordingEvent("before"))

	if code, body := httpDo(t, http.MethodGet, sub.ValidationURL+"x", "", ""); code != http.StatusForbidden {
		t.Errorf("wrong code: %d %s", code, body)
	}
	code, body := httpDo(t, http.MethodGet, sub.ValidationURL, "", "")
	if code != http.StatusOK || !strings.Contains(string(body), `"provisioningState": "Succeeded"`) {
		t.Fatalf("GET validationUrl: %d %s", code, body)
	}
	if err := e.Publish(context.Background(), recordingEvent("after")); err != nil {
		t.Fatal(err)
	}
	got := hook.next(t)
	if !strings.Contains(string(got.Body), `"id":"after"`) {
		t.Errorf("delivered %s", got.Body)
	}
	if n := len(hook.received()); n != 1 {
		t.Errorf("%d deliveries, want only the event published after validation", n)
	}
}

func TestManualValidationExpires(t *testing.T) {
	hook := newWebhook(t, hookCfg{validate: func(http.ResponseWriter, string) {}})
	var srvURL string
	e, m := newEngine(t, eventgrid.Options{PublicURL: func() string { return srvURL }})
	srv := httptest.NewServer(emulator.NewControlHandler(emulator.ControlParts{Events: e}))
	defer srv.Close()
	srvURL = srv.URL
	sub, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "late", EndpointURL: hook.URL})
	if err != nil || sub.ProvisioningState != eventgrid.StateAwaitingManualAction {
		t.Fatalf("%v %+v", err, sub)
	}
	m.Advance(10*time.Minute - time.Second)
	if s, _ := e.Subscription("late"); s.ProvisioningState != eventgrid.StateAwaitingManualAction {
		t.Fatalf("failed early: %s", s.ProvisioningState)
	}
	m.Advance(time.Second)
	s, _ := e.Subscription("late")
	if s.ProvisioningState != eventgrid.StateFailed || !strings.Contains(s.FailureReason, "within 10m0s") {
		t.Fatalf("after 10 minutes: %s %q", s.ProvisioningState, s.FailureReason)
	}
	code, body := httpDo(t, http.MethodGet, sub.ValidationURL, "", "")
	if code != http.StatusBadRequest || !strings.Contains(string(body), "ValidationExpired") {
		t.Errorf("late GET: %d %s", code, body)
	}
}

func TestHandshakeTimeoutIsRetriedOnce(t *testing.T) {
	hang := make(chan struct{})
	var mu sync.Mutex
	tries := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tries++
		mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	defer hook.Close()
	defer close(hang)
	e, m := newEngine(t, eventgrid.Options{DeliveryTimeout: 20 * time.Millisecond})
	done := make(chan eventgrid.Subscription)
	go func() {
		sub, _ := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "slow", EndpointURL: hook.URL})
		done <- sub
	}()
	// The retry waits 5 s on the engine's clock.
	var sub eventgrid.Subscription
	pump(t, m, time.Second, "the handshake to give up", func() bool {
		select {
		case sub = <-done:
			return true
		default:
			return false
		}
	})
	if sub.ProvisioningState != eventgrid.StateFailed || !strings.Contains(sub.FailureReason, "did not answer within 20ms") {
		t.Fatalf("%s %q", sub.ProvisioningState, sub.FailureReason)
	}
	mu.Lock()
	defer mu.Unlock()
	if tries != 2 {
		t.Errorf("%d handshake requests, want 2", tries)
	}
}

func TestCloudEventsHandshake(t *testing.T) {
	grant := func(origin string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("WebHook-Allowed-Origin", origin) }
	}
	for _, tc := range []struct {
		name     string
		options  func(http.ResponseWriter, *http.Request)
		callback bool
		state    string
		reason   string
	}{
		{"origin", grant("eventgrid.azure.net"), false, eventgrid.StateSucceeded, ""},
		{"star", grant("*"), false, eventgrid.StateSucceeded, ""},
		{"405", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(405) }, false, eventgrid.StateFailed, "does not support"},
		{"wrong origin", grant("example.com"), false, eventgrid.StateFailed, `WebHook-Allowed-Origin "example.com"`},
		{"no header", func(http.ResponseWriter, *http.Request) {}, false, eventgrid.StateFailed, "no WebHook-Allowed-Origin"},
		{"500", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }, false, eventgrid.StateFailed, "500 Internal Server Error"},
		{"callback", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(202) }, true, eventgrid.StateAwaitingManualAction, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hook := newWebhook(t, hookCfg{options: tc.options})
			e, _ := emulatorServer(t, eventgrid.Options{})
			sub, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "ce",
				EndpointURL: hook.URL, EventDeliverySchema: eventgrid.CloudEventSchema, WebHookRequestCallback: tc.callback})
			if err != nil {
				t.Fatal(err)
			}
			if sub.ProvisioningState != tc.state || !strings.Contains(sub.FailureReason, tc.reason) {
				t.Fatalf("state %s reason %q, want %s containing %q", sub.ProvisioningState, sub.FailureReason, tc.state, tc.reason)
			}
			h := hook.validations()[0]
			if h.Method != http.MethodOptions || h.Header.Get("WebHook-Request-Origin") != "eventgrid.azure.net" ||
				h.Header.Get("WebHook-Request-Rate") == "" {
				t.Errorf("handshake %s %v", h.Method, h.Header)
			}
			cb := h.Header.Get("WebHook-Request-Callback")
			if (cb != "") != tc.callback {
				t.Errorf("WebHook-Request-Callback %q", cb)
			}
			if tc.callback {
				// The endpoint grants asynchronously by POSTing to the callback.
				if code, body := httpDo(t, http.MethodPost, cb, "", ""); code != http.StatusOK {
					t.Fatalf("callback: %d %s", code, body)
				}
				if s, _ := e.Subscription("ce"); s.ProvisioningState != eventgrid.StateSucceeded {
					t.Errorf("after the callback: %s", s.ProvisioningState)
				}
			}
		})
	}
}

// Some receivers GET the validationUrl before they answer the validation
// event (with 200 and no body): the subscription succeeds.
func TestValidationURLCalledDuringHandshake(t *testing.T) {
	var hook *webhook
	hook = newWebhook(t, hookCfg{validate: func(w http.ResponseWriter, _ string) {
		var evs []struct {
			Data struct{ ValidationURL string } `json:"data"`
		}
		_ = json.Unmarshal(hook.validations()[0].Body, &evs)
		if code, body := httpDo(t, http.MethodGet, evs[0].Data.ValidationURL, "", ""); code != http.StatusOK {
			t.Errorf("GET validationUrl during the handshake: %d %s", code, body)
		}
	}})
	e, _ := emulatorServer(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "eager", EndpointURL: hook.URL})
}
