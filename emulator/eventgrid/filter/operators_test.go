package filter_test

import (
	"fmt"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
)

// opCase is one advanced filter evaluated on the decorated recording event.
// tag says what the row covers, so coverage of every operator is checked.
type opCase struct {
	tag    string // match, nomatch, missing, array, or a short note
	op     string
	key    string
	value  string // JSON members after "key", e.g. `"values":[1]`
	arrays bool   // enableAdvancedFilteringOnArrays
	want   bool
}

const (
	dur     = "data.recordingDurationMs" // 6620
	durs    = "data.chunkDurationsMs"    // [3600000, 6620]
	reasons = "data.chunkEndReasons"     // ["ChunkMaximumSizeExceeded", "SessionEnded"]
	missing = "data.recordingStorageInfo.recordingId"
)

// operatorCases only use data.* keys, so each runs in both schemas.
var operatorCases = []opCase{
	{"match", "NumberIn", dur, `"values":[1000,6620]`, false, true},
	{"nomatch", "NumberIn", dur, `"values":[1000,2000]`, false, false},
	{"missing", "NumberIn", missing, `"values":[6620]`, false, false},
	{"array", "NumberIn", durs, `"values":[6620]`, true, true},
	{"array off: an array is one value of the wrong type", "NumberIn", durs, `"values":[6620]`, false, false},
	{"string is not a number", "NumberIn", "data.recordingContentType", `"values":[6620]`, false, false},

	{"match", "NumberNotIn", dur, `"values":[1000,2000]`, false, true},
	{"nomatch", "NumberNotIn", dur, `"values":[1000,6620]`, false, false},
	{"missing", "NumberNotIn", missing, `"values":[6620]`, false, true},
	{"array", "NumberNotIn", durs, `"values":[6620]`, true, false},
	{"array, no element listed", "NumberNotIn", durs, `"values":[1,2]`, true, true},
	{"string is ignored", "NumberNotIn", "data.recordingContentType", `"values":[6620]`, false, true},

	{"match", "NumberLessThan", dur, `"value":10000`, false, true},
	{"nomatch", "NumberLessThan", dur, `"value":6620`, false, false},
	{"missing", "NumberLessThan", missing, `"value":10000`, false, false},
	{"array", "NumberLessThan", durs, `"value":7000`, true, true},
	{"array, no element below", "NumberLessThan", durs, `"value":1000`, true, false},

	{"match", "NumberGreaterThan", dur, `"value":6000`, false, true},
	{"nomatch", "NumberGreaterThan", dur, `"value":6620`, false, false},
	{"missing", "NumberGreaterThan", missing, `"value":0`, false, false},
	{"array", "NumberGreaterThan", durs, `"value":1000000`, true, true},
	{"bool is not a number", "NumberGreaterThan", "data.pauseOnStart", `"value":-1`, false, false},

	{"match", "NumberLessThanOrEquals", dur, `"value":6620`, false, true},
	{"nomatch", "NumberLessThanOrEquals", dur, `"value":6619.5`, false, false},
	{"missing", "NumberLessThanOrEquals", missing, `"value":6620`, false, false},
	{"array", "NumberLessThanOrEquals", durs, `"value":6620`, true, true},

	{"match", "NumberGreaterThanOrEquals", dur, `"value":6620`, false, true},
	{"nomatch", "NumberGreaterThanOrEquals", dur, `"value":6621`, false, false},
	{"missing", "NumberGreaterThanOrEquals", missing, `"value":0`, false, false},
	{"array", "NumberGreaterThanOrEquals", durs, `"value":3600000`, true, true},

	{"match", "NumberInRange", dur, `"values":[[0,1000],[6000,7000]]`, false, true},
	{"nomatch", "NumberInRange", dur, `"values":[[0,1000],[7000,8000]]`, false, false},
	{"bounds are inclusive", "NumberInRange", dur, `"values":[[6620,6620]]`, false, true},
	{"missing", "NumberInRange", missing, `"values":[[0,10000]]`, false, false},
	{"array", "NumberInRange", durs, `"values":[[3000000,4000000]]`, true, true},

	{"match", "NumberNotInRange", dur, `"values":[[0,1000],[7000,8000]]`, false, true},
	{"nomatch", "NumberNotInRange", dur, `"values":[[0,1000],[6000,7000]]`, false, false},
	{"missing", "NumberNotInRange", missing, `"values":[[0,1000]]`, false, true},
	{"array", "NumberNotInRange", durs, `"values":[[0,10000]]`, true, false},
	{"array, no element in range", "NumberNotInRange", durs, `"values":[[1,2]]`, true, true},

	{"match", "BoolEquals", "data.pauseOnStart", `"value":false`, false, true},
	{"nomatch", "BoolEquals", "data.pauseOnStart", `"value":true`, false, false},
	{"missing", "BoolEquals", missing, `"value":false`, false, false},
	{"array", "BoolEquals", "data.chunkPaused", `"value":true`, true, true},
	{"string is not a bool", "BoolEquals", "data.recordingFormatType", `"value":true`, false, false},

	{"match", "StringContains", "data.sessionEndReason", `"values":["hangup","END"]`, false, true},
	{"nomatch", "StringContains", "data.sessionEndReason", `"values":["timeout"]`, false, false},
	{"missing", "StringContains", missing, `"values":["a"]`, false, false},
	{"array", "StringContains", reasons, `"values":["maximum"]`, true, true},
	{"number is not a string in data", "StringContains", dur, `"values":["66"]`, false, false},

	{"match", "StringNotContains", "data.sessionEndReason", `"values":["timeout","dropped"]`, false, true},
	{"nomatch", "StringNotContains", "data.sessionEndReason", `"values":["timeout","ended"]`, false, false},
	{"missing", "StringNotContains", missing, `"values":["a"]`, false, false},
	{"array", "StringNotContains", reasons, `"values":["session"]`, true, false},
	{"array, no element contains", "StringNotContains", reasons, `"values":["paused"]`, true, true},

	{"match", "StringBeginsWith", "data.recordingFormatType", `"values":["wav","mp"]`, false, true},
	{"nomatch", "StringBeginsWith", "data.recordingFormatType", `"values":["wav"]`, false, false},
	{"missing", "StringBeginsWith", missing, `"values":["a"]`, false, false},
	{"array", "StringBeginsWith", reasons, `"values":["SESSION"]`, true, true},

	{"match", "StringNotBeginsWith", "data.recordingFormatType", `"values":["wav"]`, false, true},
	{"nomatch", "StringNotBeginsWith", "data.recordingFormatType", `"values":["wav","MP"]`, false, false},
	{"missing", "StringNotBeginsWith", missing, `"values":["a"]`, false, false},
	{"array", "StringNotBeginsWith", reasons, `"values":["session"]`, true, false},

	{"match", "StringEndsWith", "data.recordingContentType", `"values":["DIO"]`, false, true},
	{"nomatch", "StringEndsWith", "data.recordingContentType", `"values":["video"]`, false, false},
	{"missing", "StringEndsWith", missing, `"values":["a"]`, false, false},
	{"array", "StringEndsWith", reasons, `"values":["exceeded"]`, true, true},

	{"match", "StringNotEndsWith", "data.recordingContentType", `"values":["video"]`, false, true},
	{"nomatch", "StringNotEndsWith", "data.recordingContentType", `"values":["AUDIO"]`, false, false},
	{"missing", "StringNotEndsWith", missing, `"values":["a"]`, false, false},
	{"array", "StringNotEndsWith", reasons, `"values":["ended"]`, true, false},

	{"match", "StringIn", "data.recordingChannelType", `"values":["unmixed","MIXED"]`, false, true},
	{"nomatch", "StringIn", "data.recordingChannelType", `"values":["unmixed"]`, false, false},
	{"no partial match", "StringIn", "data.recordingChannelType", `"values":["mix"]`, false, false},
	{"missing", "StringIn", missing, `"values":["a"]`, false, false},
	{"array", "StringIn", reasons, `"values":["sessionended"]`, true, true},
	{"array of objects is never matched", "StringIn", "data.recordingStorageInfo.recordingChunks", `"values":["SessionEnded"]`, true, false},
	{"keys do not descend into arrays", "StringIn", "data.recordingStorageInfo.recordingChunks.endReason", `"values":["SessionEnded"]`, true, false},

	{"match", "StringNotIn", "data.recordingChannelType", `"values":["unmixed"]`, false, true},
	{"nomatch", "StringNotIn", "data.recordingChannelType", `"values":["unmixed","mixed"]`, false, false},
	{"missing", "StringNotIn", missing, `"values":["a"]`, false, true},
	{"array", "StringNotIn", reasons, `"values":["SessionEnded"]`, true, false},
	{"array off: the array is ignored", "StringNotIn", reasons, `"values":["SessionEnded"]`, false, true},

	{"match", "IsNullOrUndefined", "data.externalStorage", ``, false, true},
	{"nomatch", "IsNullOrUndefined", dur, ``, false, false},
	{"missing", "IsNullOrUndefined", missing, ``, false, true},
	{"array", "IsNullOrUndefined", reasons, ``, true, false},

	{"match", "IsNotNull", dur, ``, false, true},
	{"nomatch", "IsNotNull", "data.externalStorage", ``, false, false},
	{"missing", "IsNotNull", missing, ``, false, false},
	{"array", "IsNotNull", reasons, ``, true, true},

	{"null is undefined for NotIn too", "StringNotIn", "data.externalStorage", `"values":["a"]`, false, true},
	{"null fails StringNotContains like a missing key", "StringNotContains", "data.externalStorage", `"values":["a"]`, false, false},
	{"nested object key", "StringIn", "data.recordingStorageEntry.region", `"values":["EUS"]`, false, true},
	{"two levels deep", "NumberIn", "data.recordingStorageEntry.shard.index", `"values":[12]`, false, true},
	{"key case is ignored", "NumberIn", "Data.RecordingDurationMS", `"values":[6620]`, false, true},
	{"object value is the wrong type", "StringNotIn", "data.recordingStorageEntry", `"values":["eus"]`, false, true},
}

func (c opCase) json() string {
	s := fmt.Sprintf(`{"operatorType":%q,"key":%q`, c.op, c.key)
	if c.value != "" {
		s += "," + c.value
	}
	return s + "}"
}

func TestOperators(t *testing.T) {
	for _, c := range operatorCases {
		for _, sc := range schemas {
			for _, d := range decodings {
				name := fmt.Sprintf("%s/%s %s/%s/%s", c.op, c.tag, c.key, sc.schema, d.name)
				t.Run(name, func(t *testing.T) {
					adv := parseSpec(t, `{"advancedFilters":[`+c.json()+`]}`, d.useNumber).AdvancedFilters
					spec := filter.Spec{AdvancedFilters: adv, EnableAdvancedFilteringOnArrays: c.arrays}
					if err := spec.Validate(sc.schema); err != nil {
						t.Fatalf("table row is not a valid filter: %v", err)
					}
					ev := decorated(t, sc.json, d.useNumber, nil)
					if got := spec.Match(sc.schema, ev); got != c.want {
						t.Fatalf("Match(%s) = %v, want %v", c.json(), got, c.want)
					}
				})
			}
		}
	}
}

// TestOperatorCoverage keeps the table honest: every operator has a matching,
// a non-matching, a missing-key and an array-valued row.
func TestOperatorCoverage(t *testing.T) {
	have := map[string]map[string]bool{}
	for _, c := range operatorCases {
		if have[c.op] == nil {
			have[c.op] = map[string]bool{}
		}
		have[c.op][c.tag] = true
	}
	for _, op := range filter.Operators() {
		for _, tag := range []string{"match", "nomatch", "missing", "array"} {
			if !have[op][tag] {
				t.Errorf("operator %s has no %q row", op, tag)
			}
		}
	}
	if n := len(filter.Operators()); n != 19 {
		t.Errorf("Operators() has %d entries, want the 19 documented ones", n)
	}
}

// negations pairs each positive operator with the Not* operator it negates.
var negations = map[string]string{
	"NumberIn": "NumberNotIn", "NumberInRange": "NumberNotInRange",
	"StringContains": "StringNotContains", "StringBeginsWith": "StringNotBeginsWith",
	"StringEndsWith": "StringNotEndsWith", "StringIn": "StringNotIn",
	"IsNullOrUndefined": "IsNotNull",
}

// TestNegationsAreComplements: whenever the key holds a value, a Not*
// operator is exactly the opposite of its positive operator, arrays or not.
func TestNegationsAreComplements(t *testing.T) {
	for _, c := range operatorCases {
		neg, ok := negations[c.op]
		if !ok {
			continue
		}
		for _, sc := range schemas {
			ev := decorated(t, sc.json, true, nil)
			present := filter.Spec{AdvancedFilters: []filter.Advanced{{OperatorType: "IsNotNull", Key: c.key}}}
			if c.op != "IsNullOrUndefined" && !present.Match(sc.schema, ev) {
				continue
			}
			pos := parseSpec(t, `{"advancedFilters":[`+c.json()+`]}`, true)
			pos.EnableAdvancedFilteringOnArrays = c.arrays
			negSpec := pos
			negSpec.AdvancedFilters = []filter.Advanced{pos.AdvancedFilters[0]}
			negSpec.AdvancedFilters[0].OperatorType = neg
			if pos.Match(sc.schema, ev) == negSpec.Match(sc.schema, ev) {
				t.Errorf("%s: %s and %s agree on %s", sc.schema, c.op, neg, c.key)
			}
		}
	}
}
