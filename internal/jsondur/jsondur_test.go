package jsondur

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDurationJSON(t *testing.T) {
	cases := map[string]time.Duration{`"90s"`: 90 * time.Second, `"2h30m"`: 150 * time.Minute, `1500`: 1500 * time.Millisecond, `0.5`: 500 * time.Microsecond}
	for in, want := range cases {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || time.Duration(d) != want {
			t.Errorf("%s: %v %v", in, time.Duration(d), err)
		}
	}
	for _, bad := range []string{`"soon"`, `true`, `"1x"`} {
		var d Duration
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	out, _ := json.Marshal(Duration(90 * time.Second))
	if string(out) != `"1m30s"` {
		t.Errorf("marshal %s", out)
	}
}
