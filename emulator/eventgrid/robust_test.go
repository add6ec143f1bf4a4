package eventgrid_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// A webhook that hangs, answers gigabytes, resets or redirects only affects
// its own subscription.
func TestBadWebhooksDoNotBlockOthers(t *testing.T) {
	release := make(chan struct{})
	var redirected atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { redirected.Add(1) }))
	defer target.Close()
	var bodyBytes atomic.Int64
	bad := map[string]func(http.ResponseWriter, *http.Request, int){
		"hang": func(w http.ResponseWriter, r *http.Request, _ int) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		},
		"gigabytes": func(w http.ResponseWriter, r *http.Request, _ int) {
			chunk := make([]byte, 64<<10)
			for i := 0; i < 16<<10; i++ { // up to 1 GiB, until the engine hangs up
				n, err := w.Write(chunk)
				bodyBytes.Add(int64(n))
				if err != nil {
					return
				}
			}
		},
		"reset": func(w http.ResponseWriter, r *http.Request, _ int) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		},
		"redirect": func(w http.ResponseWriter, r *http.Request, _ int) {
			http.Redirect(w, r, target.URL, http.StatusFound)
		},
	}
	good := newWebhook(t, hookCfg{})
	e, _ := newEngine(t, eventgrid.Options{DeliveryTimeout: 5 * time.Second})
	for name, notify := range bad {
		hook := newWebhook(t, hookCfg{notify: notify})
		subscribe(t, e, eventgrid.SubscriptionSpec{Name: name, EndpointURL: hook.URL})
	}
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "good", EndpointURL: good.URL})
	if err := e.Publish(context.Background(), recordingEvent("one"), recordingEvent("two")); err != nil {
		t.Fatal(err)
	}
	good.next(t)
	good.next(t)
	eventually(t, "the gigabyte, reset and redirect attempts to be journaled", func() bool {
		return len(e.Attempts(eventgrid.AttemptFilter{Subscription: "gigabytes"})) > 0 &&
			len(e.Attempts(eventgrid.AttemptFilter{Subscription: "reset"})) > 0 &&
			len(e.Attempts(eventgrid.AttemptFilter{Subscription: "redirect"})) > 0
	})
	if a := e.Attempts(eventgrid.AttemptFilter{Subscription: "hang"}); len(a) != 0 {
		t.Errorf("the hanging attempt finished: %+v", a)
	}
	close(release)
	if a := e.Attempts(eventgrid.AttemptFilter{Subscription: "redirect"})[0]; a.Status != http.StatusFound || a.Disposition != "Retrying" {
		t.Errorf("redirect attempt %+v", a)
	}
	if redirected.Load() != 0 {
		t.Error("the redirect was followed")
	}
	if a := e.Attempts(eventgrid.AttemptFilter{Subscription: "reset"})[0]; a.Outcome != "SocketError" || a.Error == "" {
		t.Errorf("reset attempt %+v", a)
	}
	if a := e.Attempts(eventgrid.AttemptFilter{Subscription: "gigabytes"})[0]; a.Status != 200 || a.Outcome != "Delivered" {
		t.Errorf("gigabyte attempt %+v", a)
	}
	if n := bodyBytes.Load(); n > 64<<20 {
		t.Errorf("the webhook managed to send %d MB", n>>20)
	}
}

func TestDeliveryTimeout(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			<-r.Context().Done()
		}
	}})
	// The first attempt hangs until the timeout; the others answer at once.
	// The timeout is a wall-clock bound, so it must stay well above what a
	// loaded CI machine takes to answer a trivial request (20 ms did not).
	e, m := newEngine(t, eventgrid.Options{DeliveryTimeout: time.Second})
	// The timeout bounds the validation handshake too: on a loaded machine it may
	// time out, and Event Grid retries it once 5 s later on the (manual)
	// clock. Advance the clock when the handshake parks on it, so a slow
	// first handshake costs a retry, not a hang.
	created := make(chan eventgrid.Subscription, 1)
	go func() {
		sub, _ := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "slow", EndpointURL: hook.URL})
		created <- sub
	}()
	var sub eventgrid.Subscription
	eventually(t, "the subscription is created", func() bool {
		select {
		case sub = <-created:
			return true
		default:
		}
		if m.Waiters() > 0 {
			m.Advance(5 * time.Second)
		}
		return false
	})
	if sub.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("subscription %s is %s: %s", sub.Name, sub.ProvisioningState, sub.FailureReason)
	}
	_ = e.Publish(context.Background(), recordingEvent("s"))
	drain(t, e, m, "slow")
	as := e.Attempts(eventgrid.AttemptFilter{})
	if len(as) < 2 || as[0].Outcome != "TimedOut" || as[len(as)-1].Outcome != "Delivered" {
		t.Errorf("attempts %+v", as)
	}
}

func TestDeliveryHook(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	var calls atomic.Int32
	e, m := newEngine(t, eventgrid.Options{DeliveryHook: func(sub string, attempt int, req *http.Request) eventgrid.HookResult {
		calls.Add(1)
		switch {
		case sub == "skip":
			return eventgrid.HookResult{Skip: true}
		case sub == "fail" && attempt == 0:
			return eventgrid.HookResult{Response: &http.Response{StatusCode: 503, Body: io.NopCloser(strings.NewReader("busy"))}}
		case sub == "fail" && attempt == 1:
			return eventgrid.HookResult{Err: errors.New("injected reset")}
		}
		req.Header.Set("X-Fault", "none")
		return eventgrid.HookResult{}
	}})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "skip", EndpointURL: hook.URL})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "fail", EndpointURL: hook.URL})
	_ = e.Publish(context.Background(), recordingEvent("h"))
	drain(t, e, m, "skip")
	drain(t, e, m, "fail")
	got := hook.received()
	if len(got) != 1 || got[0].Header.Get("aeg-subscription-name") != "FAIL" || got[0].Header.Get("X-Fault") != "none" ||
		got[0].Header.Get("aeg-delivery-count") != "2" {
		t.Fatalf("received %+v", got)
	}
	fail := e.Attempts(eventgrid.AttemptFilter{Subscription: "fail"})
	if len(fail) != 3 || fail[0].Outcome != "Busy" || fail[1].Outcome != "SocketError" || fail[1].Error != "injected reset" {
		t.Errorf("attempts %+v", fail)
	}
	if skip := e.Attempts(eventgrid.AttemptFilter{Subscription: "skip"}); len(skip) != 1 || skip[0].Outcome != "Skipped" {
		t.Errorf("attempts %+v", skip)
	}
	if calls.Load() != 4 {
		t.Errorf("%d hook calls", calls.Load())
	}
}

func TestUpdateKeepsTheQueueAndDeleteStopsTheWorker(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: status(500)})
	other := newWebhook(t, hookCfg{})
	e, m := newEngine(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "moving", EndpointURL: hook.URL})
	_ = e.Publish(context.Background(), recordingEvent("u1"))
	eventually(t, "attempt 0 to fail", func() bool { return len(e.Attempts(eventgrid.AttemptFilter{})) == 1 })
	sub, err := e.UpdateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "moving", EndpointURL: other.URL})
	if err != nil || sub.ProvisioningState != eventgrid.StateSucceeded || sub.Queued != 1 || sub.Retrying != 1 {
		t.Fatalf("%v %+v", err, sub)
	}
	drain(t, e, m, "moving")
	if r := other.received(); len(r) != 1 || r[0].Header.Get("aeg-delivery-count") != "1" {
		t.Errorf("the retry went elsewhere: %+v", r)
	}
	if err := e.DeleteSubscription("moving"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Subscription("moving"); err == nil {
		t.Error("still there")
	}
	if _, err := e.UpdateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "moving", EndpointURL: other.URL}); err == nil {
		t.Error("updated a deleted subscription")
	}
}

func TestResetForgetsEverything(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: status(400)})
	e, m := newEngine(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "r", EndpointURL: hook.URL, DeadLetter: true})
	_ = e.Publish(context.Background(), recordingEvent("x"))
	drain(t, e, m, "r")
	e.Reset()
	if len(e.Subscriptions()) != 0 || len(e.Attempts(eventgrid.AttemptFilter{})) != 0 || len(e.DeadLetters("")) != 0 {
		t.Error("Reset left state behind")
	}
}

// Close stops every goroutine the engine started, including a worker
// blocked in a delivery and one sleeping until a retry.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("aeg-event-type") == "SubscriptionValidation" {
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{}`))
			return
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("aeg-event-type") == "SubscriptionValidation" {
			body, _ := io.ReadAll(r.Body)
			code := strings.SplitN(strings.SplitN(string(body), `"validationCode":"`, 2)[1], `"`, 2)[0]
			_, _ = w.Write([]byte(`{"validationResponse":"` + code + `"}`))
			return
		}
		w.WriteHeader(500)
	}))
	e, err := eventgrid.New(eventgrid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "hang", EndpointURL: hanging.URL})
	if _, err := e.CompleteValidation("hang", strings.SplitN(sub.ValidationURL, "code=", 2)[1]); err != nil {
		t.Fatal(err)
	}
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "fail", EndpointURL: failing.URL})
	_ = e.Publish(context.Background(), recordingEvent("c"))
	eventually(t, "the failing attempt", func() bool { return len(e.Attempts(eventgrid.AttemptFilter{Subscription: "fail"})) == 1 })
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Publish(context.Background(), recordingEvent("late")); err == nil {
		t.Error("Publish after Close succeeded")
	}
	close(release)
	hanging.Close()
	failing.Close()
	goleak.VerifyNone(t)
}
