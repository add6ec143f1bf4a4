package faults_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/faults"
)

// A rule with a bad field is refused with an error naming the field.
func TestBadRuleFieldsAreNamed(t *testing.T) {
	for _, tc := range []struct{ rule, field, msg string }{
		{`{"action":{"type":"reset","afterBytes":-1}}`, "action.afterBytes", "must not be negative"},
		{`{"action":{"type":"reset","afterByte":10}}`, "action.afterByte", "unknown field (reset takes afterBytes, afterPercent)"},
		{`{"action":{"type":"explode"}}`, "action.type", `"explode" is not one of bandwidth, corrupt, delay,`},
		{`{"action":{}}`, "action.type", "required"},
		{`{"match":{}}`, "action", "required"},
		{`{"mach":{},"action":{"type":"drop"}}`, "mach", "unknown field"},
		{`{"match":{"target":"media","colour":1},"action":{"type":"status","status":503}}`, "match.colour", "unknown field"},
		{`{"match":{"target":"video"},"action":{"type":"status","status":503}}`, "match.target", `"video" is not one of`},
		{`{"match":{"target":"media"},"action":{"type":"drop"}}`, "match.target", "action drop applies to delivery, not media"},
		{`{"match":{"target":"delivery"},"action":{"type":"reset"}}`, "match.target", "applies to media, metadata, not delivery"},
		{`{"match":{"path":"[x"},"action":{"type":"status","status":503}}`, "match.path", "not a valid pattern"},
		{`{"match":{"range":"yes"},"action":{"type":"truncate"}}`, "match.range", "use present or absent"},
		{`{"match":{"subscription":"s"},"action":{"type":"truncate"}}`, "match.subscription", "only delivery rules"},
		{`{"when":{"probability":0},"action":{"type":"truncate"}}`, "when.probability", "greater than 0"},
		{`{"when":{"probability":1.5},"action":{"type":"truncate"}}`, "when.probability", "at most 1"},
		{`{"when":{"skip":"two"},"action":{"type":"truncate"}}`, "when.skip", "string is not a valid integer"},
		{`{"when":{"times":-1},"action":{"type":"truncate"}}`, "when.times", "must not be negative"},
		{`{"id":"violations","action":{"type":"truncate"}}`, "id", "use 1 to 64"},
		{`{"action":{"type":"status"}}`, "action.status", "required"},
		{`{"action":{"type":"status","status":700}}`, "action.status", "700: use 200 to 599"},
		{`{"action":{"type":"status","status":503,"retryAfter":"soon"}}`, "action.retryAfter", "HTTP-date"},
		{`{"action":{"type":"status","status":503,"retryAfter":-3}}`, "action.retryAfter", "-3 is not a Retry-After: use a whole number of seconds"},
		{`{"action":{"type":"status","status":503,"headers":{"Content-Length":"1"}}}`, "action.headers.Content-Length", "set by the emulator"},
		{`{"action":{"type":"latency","duration":"soon"}}`, "action.duration", `"soon" is not a duration: use a string such as "250ms"`},
		{`{"action":{"type":"latency","duration":"11m"}}`, "action.duration", "between 0 and 10m0s"},
		{`{"action":{"type":"bandwidth","bytesPerSecond":10}}`, "action.bytesPerSecond", "use 100 to"},
		{`{"action":{"type":"stall","afterBytes":10}}`, "action.duration", "required"},
		{`{"action":{"type":"truncate","afterPercent":100}}`, "action.afterPercent", "below 100"},
		{`{"action":{"type":"truncate","afterPercent":5,"afterBytes":9}}`, "action.afterPercent", "not both"},
		{`{"action":{"type":"corrupt","offset":-1}}`, "action.offset", "must not be negative"},
		{`{"action":{"type":"wrong-content-range","value":"a","shift":1}}`, "action.value", "value alone"},
		{`[{"action":{"type":"drop","x":1}}]`, "[0].action.x", "unknown field (drop takes no parameters)"},
		{`[{"match":{"target":"delivery"},"action":{"type":"drop"}},{"match":{"target":"delivery"},"action":{"type":"timeout","after":"-1s"}}]`, "[1].action.after", "between 0"},
	} {
		_, err := faults.ParseRules([]byte(tc.rule))
		var fe *faults.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a *FieldError", tc.rule, err)
			continue
		}
		if fe.Field != tc.field || !strings.Contains(fe.Message, tc.msg) {
			t.Errorf("%s:\n got %s: %s\nwant %s: ...%s...", tc.rule, fe.Field, fe.Message, tc.field, tc.msg)
		}
	}
}

// A rule reads back as it was written, and the Go form marshals the same.
func TestRuleJSONRoundTrip(t *testing.T) {
	p := 0.25
	r := faults.Rule{ID: "x", Description: "cut", Match: faults.Match{Target: "media", Range: "absent", Header: map[string]string{"User-Agent": "azsdk-*"}},
		When: faults.When{Skip: 1, Times: 2, Probability: &p}, Action: &faults.Reset{}}
	r.Action.(*faults.Reset).AfterPercent = 40
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"x","description":"cut","match":{"target":"media","header":{"User-Agent":"azsdk-*"},"range":"absent"},` +
		`"when":{"skip":1,"times":2,"probability":0.25},"action":{"type":"reset","afterPercent":40}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	rs, err := faults.ParseRules(b)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(rs[0])
	if string(again) != want {
		t.Errorf("round trip: %s", again)
	}
	st, _ := json.Marshal(faults.Status{Status: 503, RetryAfter: "2"})
	if string(st) != `{"status":503,"retryAfter":2}` {
		t.Errorf("status params %s", st)
	}
}
