package filter_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
)

func adv(op, key string, value any, values ...any) filter.Advanced {
	return filter.Advanced{OperatorType: op, Key: key, Value: value, Values: values}
}

// repeat makes n copies of a filter.
func repeat(n int, a filter.Advanced) []filter.Advanced {
	out := make([]filter.Advanced, n)
	for i := range out {
		out[i] = a
	}
	return out
}

func numbers(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestValidateErrors(t *testing.T) {
	durIn := adv("NumberIn", dur, nil, 6620)
	cases := []struct {
		name    string
		schema  filter.Schema
		spec    filter.Spec
		field   string
		message string // a part of the message that tells the user what is allowed
	}{
		{"unknown schema", "CustomInputSchema", filter.Spec{}, "eventDeliverySchema", "allowed: EventGridSchema, CloudEventSchemaV1_0"},
		{"empty event type", filter.EventGridSchema, filter.Spec{IncludedEventTypes: []string{typ, " "}}, "includedEventTypes[1]", "must not be empty"},
		{"26 filters", filter.EventGridSchema, filter.Spec{AdvancedFilters: repeat(26, adv("IsNotNull", dur, nil))}, "advancedFilters", "at most 25"},
		{"unknown operator", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberEquals", dur, 1)}}, "advancedFilters[0].operatorType", "allowed: NumberIn, NumberNotIn"},
		{"operator in wrong case", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{durIn, adv("numberin", dur, nil, 1)}}, "advancedFilters[1].operatorType", `did you mean "NumberIn"`},
		{"no operator", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("", dur, nil, 1)}}, "advancedFilters[0].operatorType", "required"},
		{"no key", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "", nil)}}, "advancedFilters[0].key", "required"},
		{"eventTime is not filterable", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "eventTime", nil)}}, "advancedFilters[0].key", "allowed: id, topic, subject, eventType, dataVersion or data.<property>"},
		{"CloudEvents key in Event Grid schema", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringIn", "source", nil, "x")}}, "advancedFilters[0].key", "EventGridSchema"},
		{"Event Grid key in CloudEvents schema", filter.CloudEventSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringIn", "event-type", nil, "x")}}, "advancedFilters[0].key", "allowed: id, source, type, specversion, subject, an extension attribute name"},
		{"bare data", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "data", nil)}}, "advancedFilters[0].key", "data.recordingDurationMs"},
		{"empty key segment", filter.CloudEventSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "data..index", nil)}}, "advancedFilters[0].key", "empty property name"},
		{"trailing dot", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "data.", nil)}}, "advancedFilters[0].key", "empty property name"},
		{"too deep", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "data.a.b.c.d.e.f.g.h.i.j.k", nil)}}, "advancedFilters[0].key", "11 levels below data; at most 10"},
		{"nesting outside data", filter.CloudEventSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "subject.length", nil)}}, "advancedFilters[0].key", "only data.<property> keys can be nested"},
		{"single-value operator without value", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberLessThan", dur, nil)}}, "advancedFilters[0].value", "needs \"value\": a number"},
		{"single-value operator with values", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberLessThan", dur, nil, 7000)}}, "advancedFilters[0].values", "single value"},
		{"numeric string for a number", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberGreaterThan", dur, "5")}}, "advancedFilters[0].value", `needs a number, got string "5"`},
		{"BoolEquals without value", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("BoolEquals", "data.pauseOnStart", nil)}}, "advancedFilters[0].value", "true or false"},
		{"BoolEquals with a string", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("BoolEquals", "data.pauseOnStart", "true")}}, "advancedFilters[0].value", "true or false"},
		{"list operator without values", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringIn", "subject", nil)}}, "advancedFilters[0].values", "at least one"},
		{"list operator with value", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberIn", dur, 6620)}}, "advancedFilters[0].value", `list in "values"`},
		{"string in NumberIn", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberIn", dur, nil, 1, "6620")}}, "advancedFilters[0].values[1]", "needs a number"},
		{"number in StringIn", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringIn", "subject", nil, 5)}}, "advancedFilters[0].values[0]", "needs a string, got number 5"},
		{"string too long", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringContains", "subject", nil, strings.Repeat("é", 513))}}, "advancedFilters[0].values[0]", "513 characters long; at most 512"},
		{"flat range", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberInRange", dur, nil, 0, 1000)}}, "advancedFilters[0].values[0]", "[min, max] pair"},
		{"range of one", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberNotInRange", dur, nil, []any{0, 1}, []any{5})}}, "advancedFilters[0].values[1]", "[min, max] pair"},
		{"range with a string", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberInRange", dur, nil, []any{"0", 1000})}}, "advancedFilters[0].values[0]", "numbers in [min, max]"},
		{"range reversed", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberInRange", dur, nil, []any{7000, 6000})}}, "advancedFilters[0].values[0]", "min <= max"},
		{"IsNotNull with value", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", dur, true)}}, "advancedFilters[0].value", "takes no value"},
		{"IsNullOrUndefined with values", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNullOrUndefined", dur, nil, 1)}}, "advancedFilters[0].values", "takes no values"},
		{"26 values in one filter", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberIn", dur, nil, numbers(26)...)}}, "advancedFilters[0].values", "total number of filter values to 26; at most 25"},
		{"26 values across filters", filter.EventGridSchema, filter.Spec{AdvancedFilters: append(repeat(24, durIn), adv("NumberIn", dur, nil, 1, 2))}, "advancedFilters[24].values", "to 26"},
		{"26 filters of single values", filter.EventGridSchema, filter.Spec{AdvancedFilters: append(repeat(25, adv("NumberLessThan", dur, 7000)), adv("StringIn", "id", nil, "x"))}, "advancedFilters", "26 advanced filters"},
		{"single values count toward the total", filter.EventGridSchema, filter.Spec{AdvancedFilters: append(repeat(20, adv("NumberLessThan", dur, 7000)), adv("StringIn", "id", nil, "a", "b", "c", "d", "e", "f"))}, "advancedFilters[20].values", "to 26"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.spec.Validate(c.schema)
			var ve *filter.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			if ve.Field != c.field {
				t.Errorf("Field = %q, want %q (message: %s)", ve.Field, c.field, ve.Message)
			}
			if !strings.Contains(ve.Message, c.message) {
				t.Errorf("Message = %q, want it to contain %q", ve.Message, c.message)
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("Error() = %q does not name the field", err)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	strs := make([]any, 25)
	for i := range strs {
		strs[i] = fmt.Sprint("v", i)
	}
	cases := []struct {
		name   string
		schema filter.Schema
		spec   filter.Spec
	}{
		{"empty", filter.EventGridSchema, filter.Spec{}},
		{"zero schema is Event Grid", "", filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringIn", "topic", nil, "x")}}},
		{"25 filters with 25 values", filter.EventGridSchema, filter.Spec{AdvancedFilters: repeat(25, adv("NumberGreaterThan", dur, 0))}},
		{"25 values in one filter", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringIn", "subject", nil, strs...)}}},
		{"null checks carry no values", filter.EventGridSchema, filter.Spec{AdvancedFilters: append(repeat(1, adv("StringIn", "subject", nil, strs...)), adv("IsNotNull", dur, nil))}},
		{"512 characters", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringContains", "subject", nil, strings.Repeat("é", 512))}}},
		{"10 levels", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("IsNotNull", "data.a.b.c.d.e.f.g.h.i.j", nil)}}},
		{"key case", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("StringIn", "EventType", nil, typ), adv("IsNotNull", "Data.Key1", nil)}}},
		{"point range", filter.EventGridSchema, filter.Spec{AdvancedFilters: []filter.Advanced{adv("NumberInRange", dur, nil, []any{1, 1}, []float64{-2.5, 3})}}},
		{"CloudEvents keys", filter.CloudEventSchema, filter.Spec{AdvancedFilters: []filter.Advanced{
			adv("StringIn", "specversion", nil, "1.0"), adv("StringIn", "type", nil, typ),
			adv("StringBeginsWith", "source", nil, "/subscriptions/"), adv("StringIn", "id", nil, "x"),
			adv("StringContains", "subject", nil, "/recording/"), adv("StringIn", "comexampleextension1", nil, "value"),
			adv("NumberIn", "data.recordingDurationMs", nil, 6620)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.spec.Validate(c.schema); err != nil {
				t.Fatalf("Validate = %v, want nil", err)
			}
		})
	}
}

// TestValidateDecodedSpec: a spec as ARM JSON validates whichever way numbers
// were decoded.
func TestValidateDecodedSpec(t *testing.T) {
	const raw = `{"includedEventTypes":["` + typ + `"],"subjectBeginsWith":"/recording/call/",
	  "isSubjectCaseSensitive":true,"enableAdvancedFilteringOnArrays":true,"advancedFilters":[
	    {"operatorType":"NumberInRange","key":"data.recordingDurationMs","values":[[0,1e4],[3.5,4]]},
	    {"operatorType":"NumberLessThanOrEquals","key":"data.recordingDurationMs","value":1e10},
	    {"operatorType":"BoolEquals","key":"data.pauseOnStart","value":false},
	    {"operatorType":"StringNotIn","key":"data.recordingFormatType","values":["wav"]},
	    {"operatorType":"IsNullOrUndefined","key":"data.externalStorage"}]}`
	for _, d := range decodings {
		spec := parseSpec(t, raw, d.useNumber)
		if err := spec.Validate(filter.EventGridSchema); err != nil {
			t.Errorf("%s: Validate = %v", d.name, err)
		}
		if !spec.Match(filter.EventGridSchema, decorated(t, eventGridJSON, d.useNumber, nil)) {
			t.Errorf("%s: the recording event did not match", d.name)
		}
	}
}
