package jsondur

import (
	"encoding/json"
	"strings"
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

// Bare numbers outside what a time.Duration holds used to wrap around (1e300
// ms became a negative duration, slipping past "must not be negative" checks).
// They are refused with an error that says so; negative values in range stay
// legal here, as for "-5s", and each field's own check decides about them.
func TestDurationNumberRange(t *testing.T) {
	ok := map[string]time.Duration{
		`-1500`: -1500 * time.Millisecond,
		`1e12`:  1e12 * time.Millisecond, // about 31 years
		`-1e12`: -1e12 * time.Millisecond,
		`1e-7`:  0,
		`0`:     0,
	}
	for in, want := range ok {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || time.Duration(d) != want {
			t.Errorf("%s: %v %v, want %v", in, time.Duration(d), err, want)
		}
	}
	for _, bad := range []string{`1e300`, `-1e300`, `9223372036855`, `-9223372036855`, `1e400`, `-1e400`, `NaN`, `Infinity`} {
		var d Duration
		err := d.UnmarshalJSON([]byte(bad))
		if err == nil {
			t.Errorf("%s accepted as %v", bad, time.Duration(d))
			continue
		}
		if bad != `NaN` && bad != `Infinity` && !strings.Contains(err.Error(), "out of range") {
			t.Errorf("%s: error %q does not say out of range", bad, err)
		}
		if d != 0 {
			t.Errorf("%s: error left the duration at %v", bad, time.Duration(d))
		}
	}
	var d Duration
	if err := json.Unmarshal([]byte(`1e300`), &d); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("json.Unmarshal(1e300): %v", err)
	}
}
