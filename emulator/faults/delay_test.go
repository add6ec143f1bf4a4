package faults_test

import (
	"testing"
	"time"
)

// A delayed delivery is held, then sent once.
func TestDelayHoldsTheDelivery(t *testing.T) {
	rig := newDeliveryRig(t, `[{"match":{"target":"delivery"},"action":{"type":"delay","duration":"150ms"}}]`, 1)
	rig.publish(t, 1)
	as := rig.eg.Attempts(eventgridAll)
	if len(as) != 1 || as[0].Outcome != "Delivered" || as[0].Duration < 150*time.Millisecond {
		t.Fatalf("attempts %+v", as)
	}
	if got := rig.hook.bodies(); len(got) != 1 {
		t.Errorf("the webhook got %d notifications", len(got))
	}
	mustContain(t, rig.inj.Fired(0)[0].Fault, "f1 delay: held the attempt 150ms before sending it")
}
