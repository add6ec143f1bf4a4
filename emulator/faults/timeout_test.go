package faults_test

import (
	"strings"
	"testing"
)

// A timed-out attempt is journaled TimedOut and retried.
func TestTimeoutFailsTheAttempt(t *testing.T) {
	rig := newDeliveryRig(t, `[{"match":{"target":"delivery"},"when":{"times":1},"action":{"type":"timeout","after":"20ms"}}]`, 1)
	rig.publish(t, 1)
	as := rig.eg.Attempts(eventgridAll)
	if len(as) != 2 || as[0].Outcome != "TimedOut" || !strings.Contains(as[0].Error, "acsemu fault f1") || as[1].Outcome != "Delivered" {
		t.Fatalf("attempts %+v", as)
	}
	if got := rig.hook.bodies(); len(got) != 1 {
		t.Errorf("the webhook got %d notifications, want 1", len(got))
	}
}
