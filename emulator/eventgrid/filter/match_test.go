package filter_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
)

// TestTopLevelKeys covers the keys each schema offers outside data.
func TestTopLevelKeys(t *testing.T) {
	ext := map[string]any{"acsemuregion": "eus", "acsemuattempt": 2, "acsemuretried": true}
	cases := []struct {
		name   string
		schema filter.Schema
		adv    filter.Advanced
		want   bool
	}{
		{"EG id", filter.EventGridSchema, filter.Advanced{OperatorType: "StringIn", Key: "id", Values: []any{"7DEC6EED-129C-43F3-A2BF-6A9C2C1D1A8A"}}, true},
		{"EG topic", filter.EventGridSchema, filter.Advanced{OperatorType: "StringContains", Key: "topic", Values: []any{"/communicationServices/acsemu-"}}, true},
		{"EG subject", filter.EventGridSchema, filter.Advanced{OperatorType: "StringContains", Key: "subject", Values: []any{"/RECORDINGID/"}}, true},
		{"EG eventType", filter.EventGridSchema, filter.Advanced{OperatorType: "StringEndsWith", Key: "eventType", Values: []any{"FileStatusUpdated"}}, true},
		{"EG dataVersion", filter.EventGridSchema, filter.Advanced{OperatorType: "StringIn", Key: "dataVersion", Values: []any{"1.0"}}, true},
		{"EG key case is ignored", filter.EventGridSchema, filter.Advanced{OperatorType: "StringBeginsWith", Key: "EventType", Values: []any{"microsoft.communication."}}, true},
		{"CE source", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringContains", Key: "source", Values: []any{"/resourcegroups/acsemu-rg/"}}, true},
		{"CE type", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringIn", Key: "type", Values: []any{typ}}, true},
		{"CE specversion", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringIn", Key: "specversion", Values: []any{"1.0"}}, true},
		{"CE subject", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringBeginsWith", Key: "subject", Values: []any{"/recording/call/"}}, true},
		{"CE string extension", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringIn", Key: "acsemuregion", Values: []any{"EUS"}}, true},
		{"CE numeric extension as number", filter.CloudEventSchema, filter.Advanced{OperatorType: "NumberIn", Key: "acsemuattempt", Values: []any{2}}, true},
		// The docs filter the numeric extension attribute 5 with
		// StringBeginsWith "5": attributes have a canonical string form.
		{"CE numeric extension as string", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringBeginsWith", Key: "acsemuattempt", Values: []any{"2"}}, true},
		{"CE boolean extension as string", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringIn", Key: "acsemuretried", Values: []any{"TRUE"}}, true},
		{"CE boolean extension as bool", filter.CloudEventSchema, filter.Advanced{OperatorType: "BoolEquals", Key: "acsemuretried", Value: true}, true},
		{"CE absent extension", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringIn", Key: "acsemupartition", Values: []any{"a"}}, false},
		{"EG data numbers stay numbers", filter.EventGridSchema, filter.Advanced{OperatorType: "StringBeginsWith", Key: "data.recordingDurationMs", Values: []any{"6"}}, false},
		{"CE data numbers stay numbers", filter.CloudEventSchema, filter.Advanced{OperatorType: "StringBeginsWith", Key: "data.recordingDurationMs", Values: []any{"6"}}, false},
	}
	for _, c := range cases {
		for _, d := range decodings {
			t.Run(c.name+"/"+d.name, func(t *testing.T) {
				raw := eventGridJSON
				if c.schema == filter.CloudEventSchema {
					raw = cloudEventJSON
				}
				var top map[string]any
				if c.schema == filter.CloudEventSchema {
					top = ext
				}
				spec := filter.Spec{AdvancedFilters: []filter.Advanced{c.adv}}
				if err := spec.Validate(c.schema); err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if got := spec.Match(c.schema, decorated(t, raw, d.useNumber, top)); got != c.want {
					t.Fatalf("Match = %v, want %v", got, c.want)
				}
			})
		}
	}
}

func TestSubjectFilters(t *testing.T) {
	cases := []struct {
		name            string
		begins, ends    string
		caseSensitive   bool
		want            bool
		cloudNoSubjects bool
	}{
		{"no subject filter", "", "", false, true, false},
		{"begins", "/recording/call/", "", false, true, false},
		{"begins ignoring case", "/RECORDING/Call/", "", false, true, false},
		{"begins, case-sensitive, exact case", "/recording/call/", "", true, true, false},
		{"begins, case-sensitive, wrong case", "/Recording/call/", "", true, false, false},
		{"ends", "", "/recordingId/eyJQbGF0Zm9ybUVuZHBvaW50SWQiOiIifQ", false, true, false},
		{"ends ignoring case", "", "EYJQBGF0ZM9YBUVUZHBVAW50SWQIOIIIFQ", false, true, false},
		{"ends, case-sensitive, wrong case", "", "EYJQBGF0ZM9YBUVUZHBVAW50SWQIOIIIFQ", true, false, false},
		{"both must hold", "/recording/call/", "/serverCallId", false, false, false},
		{"both hold", "/recording/call/4f1a", "IifQ", true, true, false},
		{"other prefix", "/blobServices/default/", "", false, false, false},
		{"event without subject", "/recording/", "", false, false, true},
		{"event without subject, no subject filter", "", "", false, true, true},
	}
	for _, c := range cases {
		for _, sc := range schemas {
			t.Run(c.name+"/"+string(sc.schema), func(t *testing.T) {
				ev := decode(t, sc.json, false)
				if c.cloudNoSubjects {
					delete(ev, "subject") // optional in CloudEvents
				}
				spec := filter.Spec{SubjectBeginsWith: c.begins, SubjectEndsWith: c.ends, IsSubjectCaseSensitive: c.caseSensitive}
				if got := spec.Match(sc.schema, ev); got != c.want {
					t.Fatalf("Match = %v, want %v", got, c.want)
				}
			})
		}
	}
}

func TestIncludedEventTypes(t *testing.T) {
	cases := []struct {
		name  string
		types []string
		want  bool
	}{
		{"nil means all", nil, true},
		{"empty means all", []string{}, true},
		{"listed", []string{"Microsoft.Communication.CallEnded", typ}, true},
		{"listed in other case", []string{"microsoft.communication.recordingfilestatusupdated"}, true},
		{"not listed", []string{"Microsoft.Communication.CallEnded"}, false},
		{"prefix is not enough", []string{"Microsoft.Communication.RecordingFileStatus"}, false},
		{"All", []string{"All"}, true},
	}
	for _, c := range cases {
		for _, sc := range schemas {
			t.Run(c.name+"/"+string(sc.schema), func(t *testing.T) {
				spec := filter.Spec{IncludedEventTypes: c.types}
				if got := spec.Match(sc.schema, decode(t, sc.json, true)); got != c.want {
					t.Fatalf("Match = %v, want %v", got, c.want)
				}
			})
		}
	}
	// The event type comes from the schema's own property: an Event Grid
	// event read as a CloudEvent has no "type".
	spec := filter.Spec{IncludedEventTypes: []string{typ}}
	if spec.Match(filter.CloudEventSchema, decode(t, eventGridJSON, false)) {
		t.Error("eventType was read as the CloudEvents type")
	}
}

// TestAndOr: values in one filter OR, filters and the other parts AND.
func TestAndOr(t *testing.T) {
	const base = `{"includedEventTypes":["` + typ + `"],"subjectBeginsWith":"/recording/call/",
	  "advancedFilters":[
	    {"operatorType":"StringIn","key":"data.recordingFormatType","values":["wav","mp3"]},
	    {"operatorType":"NumberGreaterThan","key":"data.recordingDurationMs","value":%s}]}`
	ev := decode(t, eventGridJSON, true)
	for _, c := range []struct {
		threshold string
		want      bool
	}{{"5000", true}, {"7000", false}} {
		spec := parseSpec(t, fmt.Sprintf(base, c.threshold), true)
		if got := spec.Match(filter.EventGridSchema, ev); got != c.want {
			t.Errorf("threshold %s: Match = %v, want %v", c.threshold, got, c.want)
		}
	}
	spec := parseSpec(t, fmt.Sprintf(base, "5000"), false)
	spec.IncludedEventTypes = []string{"Microsoft.Communication.CallEnded"}
	if spec.Match(filter.EventGridSchema, ev) {
		t.Error("advanced filters matched but the event type did not, and still Match = true")
	}
}

// TestGoTypedValues: specs and events built in Go, not decoded from JSON.
func TestGoTypedValues(t *testing.T) {
	ev := map[string]any{
		"eventType": typ, "subject": subject,
		"data": map[string]any{"recordingDurationMs": int64(6620), "chunkSizes": []int{10, 20}},
	}
	specs := []filter.Spec{
		{AdvancedFilters: []filter.Advanced{{OperatorType: "NumberIn", Key: "data.recordingDurationMs", Values: []any{6620}}}},
		{AdvancedFilters: []filter.Advanced{{OperatorType: "NumberInRange", Key: "data.recordingDurationMs", Values: []any{[]float64{6000, 7000}}}}},
		{AdvancedFilters: []filter.Advanced{{OperatorType: "NumberInRange", Key: "data.recordingDurationMs", Values: []any{[2]int{6620, 6620}}}}},
		{AdvancedFilters: []filter.Advanced{{OperatorType: "NumberLessThan", Key: "data.recordingDurationMs", Value: float32(7000)}}},
		{AdvancedFilters: []filter.Advanced{{OperatorType: "NumberIn", Key: "data.chunkSizes", Values: []any{json.Number("20")}}}, EnableAdvancedFilteringOnArrays: true},
	}
	for i, s := range specs {
		if err := s.Validate(""); err != nil {
			t.Errorf("spec %d: Validate: %v", i, err)
		}
		if !s.Match("", ev) {
			t.Errorf("spec %d did not match", i)
		}
	}
}

// TestFailsClosed: what cannot be evaluated never matches.
func TestFailsClosed(t *testing.T) {
	ev := decode(t, eventGridJSON, false)
	empty := filter.Spec{}
	if !empty.Match(filter.EventGridSchema, ev) || !empty.Match("", ev) {
		t.Fatal("an empty filter must match every event")
	}
	if empty.Match("CustomInputSchema", ev) {
		t.Error("unknown schema matched")
	}
	if empty.Match(filter.EventGridSchema, nil) {
		t.Error("nil event matched")
	}
	bad := []filter.Advanced{
		{OperatorType: "NumberEquals", Key: "data.recordingDurationMs", Values: []any{6620}},
		{OperatorType: "NumberIn", Key: "data.recordingDurationMs", Values: []any{"6620"}},
		{OperatorType: "NumberInRange", Key: "data.recordingDurationMs", Values: []any{[]any{7000, 6000}}},
		{OperatorType: "NumberLessThan", Key: "data.recordingDurationMs", Values: []any{7000}},
		{OperatorType: "BoolEquals", Key: "data.recordingDurationMs", Value: "true"},
		{OperatorType: "NumberIn", Key: "data.recordingDurationMs", Values: []any{json.Number("NaN")}},
	}
	for _, a := range bad {
		if (filter.Spec{AdvancedFilters: []filter.Advanced{a}}).Match(filter.EventGridSchema, ev) {
			t.Errorf("%+v matched", a)
		}
	}
}
