package faults_test

import (
	"strings"
	"testing"
)

// A dropped delivery is never sent, and Event Grid believes it delivered.
func TestDropLosesTheEvent(t *testing.T) {
	rig := newDeliveryRig(t, `[{"match":{"target":"delivery","subscription":"SUBS"},"when":{"times":1},"action":{"type":"drop"}}]`, 1)
	rig.publish(t, 2)
	as := rig.eg.Attempts(eventgridAll)
	if len(as) != 2 || as[0].Outcome != "Skipped" || as[1].Outcome != "Delivered" {
		t.Fatalf("attempts %+v", as)
	}
	if !strings.Contains(as[0].Fault, "drop") || as[1].Fault != "" {
		t.Errorf("the attempt journal must name the fault beside the attempt it hit: %q, %q", as[0].Fault, as[1].Fault)
	}
	if got := rig.hook.bodies(); len(got) != 1 {
		t.Errorf("the webhook got %d notifications, want 1", len(got))
	}
	f := rig.inj.Fired(0)
	if len(f) != 1 || f[0].Action != "drop" {
		t.Errorf("fired %+v", f)
	}
}
