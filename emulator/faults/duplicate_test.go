package faults_test

import (
	"bytes"
	"testing"
)

// A duplicated delivery reaches the webhook twice, byte for byte.
func TestDuplicateDeliversTwice(t *testing.T) {
	rig := newDeliveryRig(t, `[{"match":{"target":"delivery"},"action":{"type":"duplicate"}}]`, 1)
	rig.publish(t, 1)
	got := rig.hook.bodies()
	if len(got) != 2 || !bytes.Equal(got[0], got[1]) {
		t.Fatalf("the webhook got %d notifications: %q", len(got), got)
	}
	rig.hook.mu.Lock()
	id0, id1 := rig.hook.got[0].Header.Get("aeg-output-event-id"), rig.hook.got[1].Header.Get("aeg-output-event-id")
	rig.hook.mu.Unlock()
	if id0 == "" || id0 != id1 {
		t.Errorf("output event ids %q and %q", id0, id1)
	}
	if as := rig.eg.Attempts(eventgridAll); len(as) != 1 || as[0].Outcome != "Delivered" {
		t.Errorf("attempts %+v", as)
	}
	mustContain(t, rig.inj.Fired(0)[0].Fault, "f1 duplicate: sent an extra copy first (the webhook answered 200)")
}
