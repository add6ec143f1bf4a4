package faults_test

import (
	"encoding/json"
	"slices"
	"testing"
)

func ids(t *testing.T, body []byte) []string {
	t.Helper()
	var evs []struct{ ID string }
	if err := json.Unmarshal(body, &evs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

// A reordered batch carries the same events in another order.
func TestReorderABatch(t *testing.T) {
	for _, tc := range []struct {
		rule string
		want []string
	}{
		{`{"type":"reorder"}`, []string{"e4", "e3", "e2", "e1"}},
		{`{"type":"reorder","shuffle":true}`, nil},
	} {
		rig := newDeliveryRig(t, `[{"match":{"target":"delivery"},"action":`+tc.rule+`}]`, 10)
		rig.publish(t, 4)
		got := rig.hook.bodies()
		if len(got) != 1 {
			t.Fatalf("%s: %d batches, want 1", tc.rule, len(got))
		}
		order := ids(t, got[0])
		sorted := slices.Sorted(slices.Values(order))
		if !slices.Equal(sorted, []string{"e1", "e2", "e3", "e4"}) || slices.Equal(order, sorted) {
			t.Errorf("%s: order %v", tc.rule, order)
		}
		if tc.want != nil && !slices.Equal(order, tc.want) {
			t.Errorf("%s: order %v, want %v", tc.rule, order, tc.want)
		}
	}
}
