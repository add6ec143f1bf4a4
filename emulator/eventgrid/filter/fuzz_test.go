package filter_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
)

// FuzzMatch feeds arbitrary events and filters to Validate and Match. Neither
// may panic, Match must not depend on how numbers were decoded, and each Not*
// operator must stay the exact opposite of its positive operator whenever the
// key holds a value.
func FuzzMatch(f *testing.F) {
	f.Add([]byte(eventGridJSON), []byte(`{"includedEventTypes":["`+typ+`"],"advancedFilters":[{"operatorType":"NumberInRange","key":"data.recordingDurationMs","values":[[0,1e4]]}]}`), false, false)
	f.Add([]byte(cloudEventJSON), []byte(`{"subjectBeginsWith":"/RECORDING","enableAdvancedFilteringOnArrays":true,"advancedFilters":[{"operatorType":"StringNotIn","key":"data.recordingStorageInfo.recordingChunks","values":["x"]}]}`), true, true)
	f.Add([]byte(`{"data":{"a":[1,"1",true,null,[2],{"b":3}]},"x":5}`), []byte(`{"enableAdvancedFilteringOnArrays":true,"advancedFilters":[{"operatorType":"NumberIn","key":"data.a","values":[1,[2]]},{"operatorType":"StringBeginsWith","key":"x","values":["5"]}]}`), true, false)
	f.Add([]byte(`{"subject":5,"eventType":null,"data":"text"}`), []byte(`{"includedEventTypes":["",null],"subjectEndsWith":"5","advancedFilters":[{"operatorType":"NumberInRange","key":"data","values":[[1],[2,1],"a",null]},{"operatorType":"BoolEquals","key":"DATA.","value":[true]}]}`), false, true)
	f.Add([]byte(`{"data":{"n":1e308,"m":-0,"s":"ǅǆ"}}`), []byte(`{"advancedFilters":[{"operatorType":"NumberGreaterThan","key":"data.n","value":1e400},{"operatorType":"StringIn","key":"data.s","values":["Ǆ"]}]}`), false, false)

	f.Fuzz(func(t *testing.T, eventJSON, specJSON []byte, cloud, useNumber bool) {
		schema := filter.EventGridSchema
		if cloud {
			schema = filter.CloudEventSchema
		}
		var spec filter.Spec
		dec := json.NewDecoder(bytes.NewReader(specJSON))
		if useNumber {
			dec.UseNumber()
		}
		if dec.Decode(&spec) != nil {
			return
		}
		num, errNum := decodeEvent(eventJSON, true)
		flt, errFlt := decodeEvent(eventJSON, false)
		ev := flt
		if useNumber {
			ev = num
		}
		if ev == nil {
			return
		}

		_ = spec.Validate(schema)
		got := spec.Match(schema, ev)
		if again := spec.Match(schema, ev); again != got {
			t.Fatalf("Match is not deterministic: %v then %v", got, again)
		}
		if errNum == nil && errFlt == nil {
			if a, b := spec.Match(schema, num), spec.Match(schema, flt); a != b {
				t.Fatalf("Match with json.Number = %v, with float64 = %v", a, b)
			}
		}

		for _, a := range spec.AdvancedFilters {
			neg, ok := negations[a.OperatorType]
			if !ok {
				continue
			}
			present := filter.Spec{AdvancedFilters: []filter.Advanced{{OperatorType: filter.IsNotNull, Key: a.Key}}}.Match(schema, ev)
			if !present && a.OperatorType != filter.IsNullOrUndefined {
				continue
			}
			pos := filter.Spec{AdvancedFilters: []filter.Advanced{a}, EnableAdvancedFilteringOnArrays: spec.EnableAdvancedFilteringOnArrays}
			n := a
			n.OperatorType = neg
			opp := filter.Spec{AdvancedFilters: []filter.Advanced{n}, EnableAdvancedFilteringOnArrays: spec.EnableAdvancedFilteringOnArrays}
			if pos.Match(schema, ev) == opp.Match(schema, ev) {
				t.Fatalf("%s and %s agree on key %q", a.OperatorType, neg, a.Key)
			}
		}
	})
}

func decodeEvent(raw []byte, useNumber bool) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if useNumber {
		dec.UseNumber()
	}
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return nil, err
	}
	return ev, nil
}
