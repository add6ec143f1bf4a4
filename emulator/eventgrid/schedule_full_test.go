package eventgrid_test

import (
	"context"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// TestDefaultScheduleRunsTwentyFourHoursThenDeadLetters replays the whole
// default retry schedule (30 attempts allowed, 24-hour time to live) against a
// webhook that always answers 500, scaled so that 24 hours take about 86 ms:
// the time to live ends it first, after the 12-hour steps, and the journal
// shows the nominal schedule.
func TestDefaultScheduleRunsTwentyFourHoursThenDeadLetters(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: always(500)})
	e, _ := newEngine(t, eventgrid.Options{Clock: clock.Real{}, TimeScale: 1e-6})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "full", EndpointURL: hook.URL, DeadLetter: true})
	if err := e.Publish(context.Background(), recordingEvent("d1")); err != nil {
		t.Fatal(err)
	}
	drain(t, e, nil, "full")
	as := e.Attempts(eventgrid.AttemptFilter{Subscription: "full"})
	schedule := []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 10 * time.Minute,
		30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 12 * time.Hour}
	// 10 s ... 6 h add up to 10h47m; one 12-hour step gives 22h47m (up to 10 %
	// more with the spread), and the next lands past 24 h.
	if len(as) < 10 || len(as) > 11 {
		t.Fatalf("%d attempts, want 10 or 11 before the 24-hour time to live", len(as))
	}
	for i := 1; i < len(as); i++ {
		gap, base := as[i].NominalTime.Sub(as[i-1].NominalTime), schedule[i-1]
		if gap < base || gap > base+base/10 {
			t.Errorf("gap before attempt %d: %v, want %v plus at most 10%%", i, gap, base)
		}
		if as[i].Attempt != i {
			t.Errorf("attempt %d numbered %d", i, as[i].Attempt)
		}
	}
	if last := as[len(as)-1].NominalTime.Sub(as[0].NominalTime); last >= 24*time.Hour {
		t.Errorf("an attempt at %v, after the time to live", last)
	}
	dl := e.DeadLetters("full")
	if len(dl) != 1 || dl[0].DeadLetterReason != "TimeToLiveExceeded" || dl[0].DeliveryAttempts != len(as) ||
		dl[0].LastDeliveryOutcome != "GenericError" || dl[0].LastHTTPStatusCode != 500 {
		t.Fatalf("dead letter %+v", dl)
	}
}
