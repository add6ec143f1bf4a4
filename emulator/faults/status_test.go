package faults_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/faults"
)

func TestStatusAnswersInTheServicesPlace(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, rule              string
		status                  int
		retryAfter, ctype, body string
	}{
		{"503 with seconds", `{"status":503,"retryAfter":2}`, 503, "2", "", ""},
		{"429 with a date", `{"status":429,"retryAfter":30,"retryAfterAsDate":true}`, 429, "Wed, 01 May 2024 12:00:30 GMT", "", ""},
		{"500 with a body", `{"status":500,"body":"{\"error\":{\"code\":\"InternalError\"}}","contentType":"application/json"}`,
			500, "", "application/json", `{"error":{"code":"InternalError"}}`},
		{"the HTML 400 for bytes=undefined", `{"page":"bad-range"}`, 400, "", "text/html; charset=utf-8", faults.BadRangePage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, 1000, `[{"action":{"type":"status",`+strings.TrimPrefix(tc.rule, "{")+`}]`,
				func(o *faults.Options) { o.Clock = clock.NewManual(t0) })
			resp := s.get(t, s.client(t), "Range", "bytes=undefined")
			body := string(readAll(t, resp))
			if resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.retryAfter ||
				resp.Header.Get("Content-Type") != tc.ctype || body != tc.body {
				t.Errorf("got %d Retry-After %q Content-Type %q body %q", resp.StatusCode,
					resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), body)
			}
			mustContain(t, s.note(t), "f1 status: answered "+resp.Status[:3])
		})
	}
}

// On a delivery, status is the webhook's answer: Event Grid retries a 503
// and the webhook gets the events on the next attempt.
func TestStatusOnADelivery(t *testing.T) {
	rig := newDeliveryRig(t, `[{"match":{"target":"delivery"},"when":{"times":1},"action":{"type":"status","status":503}}]`, 1)
	rig.publish(t, 1)
	as := rig.eg.Attempts(eventgridAll)
	if len(as) != 2 || as[0].Status != http.StatusServiceUnavailable || as[1].Outcome != "Delivered" {
		t.Fatalf("attempts %+v", as)
	}
	if n := len(rig.hook.bodies()); n != 1 {
		t.Errorf("the webhook got %d notifications, want 1", n)
	}
	f := rig.inj.Fired(0)
	if len(f) != 1 || f[0].Subscription != "subs" || f[0].Attempt != 0 || !strings.Contains(f[0].Fault, "answered 503 in the webhook's place") {
		t.Errorf("fired %+v", f)
	}
}

// A status rule without a target is for the data plane only.
func TestStatusWithoutTargetLeavesDeliveriesAlone(t *testing.T) {
	rig := newDeliveryRig(t, `[{"action":{"type":"status","status":503}}]`, 1)
	rig.publish(t, 1)
	if as := rig.eg.Attempts(eventgridAll); len(as) != 1 || as[0].Outcome != "Delivered" || len(rig.inj.Fired(0)) != 0 {
		t.Errorf("attempts %+v", as)
	}
}
