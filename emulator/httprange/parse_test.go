package httprange

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

type parseCase struct {
	name    string
	header  string
	size    int64
	opts    Options
	outcome Outcome
	ranges  []Range
	status  int
}

// many builds a header of n one-byte ranges, every other byte.
func many(n int) string {
	specs := make([]string, n)
	for i := range specs {
		specs[i] = fmt.Sprintf("%d-%d", 2*i, 2*i)
	}
	return "bytes=" + strings.Join(specs, ",")
}

func manyRanges(n int) []Range {
	rs := make([]Range, n)
	for i := range rs {
		rs[i] = Range{int64(2 * i), int64(2 * i)}
	}
	return rs
}

// parseCases are shared with FuzzParse as seeds.
var parseCases = []parseCase{
	// RFC 9110 §14.1.2, a 10000-byte representation.
	{"first 500", "bytes=0-499", 10000, Options{}, Single, []Range{{0, 499}}, 206},
	{"second 500", "bytes=500-999", 10000, Options{}, Single, []Range{{500, 999}}, 206},
	{"final 500 suffix", "bytes=-500", 10000, Options{}, Single, []Range{{9500, 9999}}, 206},
	{"final 500 open", "bytes=9500-", 10000, Options{}, Single, []Range{{9500, 9999}}, 206},
	{"first and last byte", "bytes=0-0,-1", 10000, Options{}, Multiple, []Range{{0, 0}, {9999, 9999}}, 206},
	{"three ranges", "bytes=0-999,4500-5499,-1000", 10000, Options{}, Multiple, []Range{{0, 999}, {4500, 5499}, {9000, 9999}}, 206},
	{"adjacent kept", "bytes=500-600,601-999", 10000, Options{}, Multiple, []Range{{500, 600}, {601, 999}}, 206},
	{"two overlapping kept", "bytes=500-700,601-999", 10000, Options{}, Multiple, []Range{{500, 700}, {601, 999}}, 206},

	// What the JS SDK 1.5.1 sent.
	{"js undefined", "bytes=undefined", 10000, Options{}, Malformed, nil, 200},
	{"js bytes=5", "bytes=5", 10000, Options{}, Malformed, nil, 200},
	{"js bytes=0", "bytes=0", 10000, Options{}, Malformed, nil, 200},
	{"js undefined 400", "bytes=undefined", 10000, Options{MalformedPolicy: Reject400}, Malformed, nil, 400},
	{"js bytes=5 400", "bytes=5", 10000, Options{MalformedPolicy: Reject400}, Malformed, nil, 400},
	{"js bytes=0 400", "bytes=0", 10000, Options{MalformedPolicy: Reject400}, Malformed, nil, 400},

	// No header, other units.
	{"none", "", 10000, Options{}, NoRange, nil, 200},
	{"blank", " \t", 10000, Options{}, NoRange, nil, 200},
	{"other unit", "items=0-5", 10000, Options{}, OtherUnit, nil, 200},
	{"other unit, any syntax", "pages=a,b,c", 10000, Options{MalformedPolicy: Reject400}, OtherUnit, nil, 200},
	{"unit case-insensitive", "BYTES=0-4", 10000, Options{}, Single, []Range{{0, 4}}, 206},

	// Syntax.
	{"no equals", "bytes", 10000, Options{}, Malformed, nil, 200},
	{"space before equals", "bytes =0-4", 10000, Options{}, Malformed, nil, 200},
	{"empty set", "bytes=", 10000, Options{}, Malformed, nil, 200},
	{"only commas", "bytes=, ,", 10000, Options{}, Malformed, nil, 200},
	{"empty elements", "bytes=0-1,,2-3", 10000, Options{}, Multiple, []Range{{0, 1}, {2, 3}}, 206},
	{"OWS around commas", "bytes= 0-1 ,\t2-3 ,", 10000, Options{}, Multiple, []Range{{0, 1}, {2, 3}}, 206},
	{"OWS around value", "\t bytes=0-1 ", 10000, Options{}, Single, []Range{{0, 1}}, 206},
	{"space inside spec", "bytes=0 - 1", 10000, Options{}, Malformed, nil, 200},
	{"end before start", "bytes=5-4", 10000, Options{}, Malformed, nil, 200},
	{"two dashes", "bytes=1-2-3", 10000, Options{}, Malformed, nil, 200},
	{"negative suffix", "bytes=--1", 10000, Options{}, Malformed, nil, 200},
	{"plus sign", "bytes=+1-2", 10000, Options{}, Malformed, nil, 200},
	{"parameter", "bytes=0-1;x=y", 10000, Options{}, Malformed, nil, 200},
	{"one bad of two", "bytes=0-1,x", 10000, Options{}, Malformed, nil, 200},
	{"bare dash", "bytes=-", 10000, Options{}, Malformed, nil, 200},
	{"leading zeros", "bytes=0010-0019", 10000, Options{}, Single, []Range{{10, 19}}, 206},

	// Huge numbers.
	{"overflow last", "bytes=0-99999999999999999999", 10000, Options{}, Malformed, nil, 200},
	{"overflow first", "bytes=99999999999999999999-", 10000, Options{}, Malformed, nil, 200},
	{"overflow suffix", "bytes=-99999999999999999999", 10000, Options{}, Malformed, nil, 200},
	{"max int64 last", "bytes=0-9223372036854775807", 10000, Options{}, Single, []Range{{0, 9999}}, 206},
	{"max int64 first", "bytes=9223372036854775807-", 10000, Options{}, Unsatisfiable, nil, 416},
	{"max int64+1", "bytes=9223372036854775808-", 10000, Options{}, Malformed, nil, 200},

	// Satisfiability and clamping.
	{"suffix zero", "bytes=-0", 10000, Options{}, Unsatisfiable, nil, 416},
	{"start at size", "bytes=10000-", 10000, Options{}, Unsatisfiable, nil, 416},
	{"range past end", "bytes=10000-20000", 10000, Options{}, Unsatisfiable, nil, 416},
	{"end clamped", "bytes=9000-20000", 10000, Options{}, Single, []Range{{9000, 9999}}, 206},
	{"suffix longer than size", "bytes=-20000", 10000, Options{}, Single, []Range{{0, 9999}}, 206},
	{"last byte", "bytes=9999-", 10000, Options{}, Single, []Range{{9999, 9999}}, 206},
	{"unsatisfiable dropped", "bytes=0-0,10000-", 10000, Options{}, Single, []Range{{0, 0}}, 206},
	{"all unsatisfiable", "bytes=-0,10000-,20000-30000", 10000, Options{}, Unsatisfiable, nil, 416},
	{"empty file open", "bytes=0-", 0, Options{}, Unsatisfiable, nil, 416},
	{"empty file suffix", "bytes=-5", 0, Options{}, Unsatisfiable, nil, 416},
	{"empty file no range", "", 0, Options{}, NoRange, nil, 200},
	{"negative size as empty", "bytes=0-", -5, Options{}, Unsatisfiable, nil, 416},

	// Abuse.
	{"three overlapping coalesced", "bytes=0-99,50-149,100-199", 10000, Options{}, Single, []Range{{0, 199}}, 206},
	{"whole thrice coalesced", "bytes=0-,0-,-10000", 10000, Options{}, Single, []Range{{0, 9999}}, 206},
	{"coalesced and sorted", "bytes=900-999,0-99,50-149,120-130", 10000, Options{}, Multiple, []Range{{0, 149}, {900, 999}}, 206},
	{"unordered kept", "bytes=900-999,0-99", 10000, Options{}, Multiple, []Range{{900, 999}, {0, 99}}, 206},
	{"at the cap", many(100), 10000, Options{}, Multiple, manyRanges(100), 206},
	{"over the cap", many(101), 10000, Options{}, TooMany, nil, 200},
	{"ten thousand", many(10000), 100000, Options{}, TooMany, nil, 200},
	{"cap of one", "bytes=0-1,5-6", 10000, Options{MaxRanges: 1}, TooMany, nil, 200},
	{"malformed before the cap", "bytes=x," + many(200)[6:], 10000, Options{}, Malformed, nil, 200},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := c.opts.Parse(c.header, c.size)
			if p.Outcome != c.outcome || p.Status != c.status || !slices.Equal(p.Ranges, c.ranges) {
				t.Fatalf("Parse(%.60q, %d) = %v %d %v (%s), want %v %d %v",
					c.header, c.size, p.Outcome, p.Status, p.Ranges, p.Note, c.outcome, c.status, c.ranges)
			}
			wantErr := map[Outcome]error{Malformed: ErrMalformed, TooMany: ErrTooMany, Unsatisfiable: ErrUnsatisfiable}[c.outcome]
			if (wantErr == nil) != (err == nil) || (wantErr != nil && !errors.Is(err, wantErr)) {
				t.Fatalf("error %v, want %v", err, wantErr)
			}
		})
	}
}

// The journal shows why a header was not taken as written.
func TestParseNotes(t *testing.T) {
	for header, want := range map[string]string{
		"bytes=undefined":           `range-spec "undefined" has no "-"`,
		"bytes=0-1,10000-":          "1 unsatisfiable range-specs dropped",
		"bytes=0-99,50-149,100-199": "3 overlapping ranges: coalesced 3 ranges into 1",
		many(101):                   "more than 100 range-specs",
		"items=1-2":                 `range unit "items" ignored`,
	} {
		p, _ := Parse(header, 10000)
		if !strings.Contains(p.Note, want) {
			t.Errorf("Parse(%.40q).Note = %q, want it to say %q", header, p.Note, want)
		}
	}
	p, _ := Options{MalformedPolicy: Reject400}.Parse("bytes=5", 10)
	if !strings.Contains(p.Note, "400") {
		t.Errorf("Reject400 note %q does not say 400", p.Note)
	}
}

func TestParseDefaultIsRFC(t *testing.T) {
	p, err := Parse("bytes=5", 10)
	if p.Status != http.StatusOK || !errors.Is(err, ErrMalformed) {
		t.Fatalf("default policy: %d %v, want 200 and ErrMalformed", p.Status, err)
	}
}

func TestOutcomeString(t *testing.T) {
	if Multiple.String() != "multiple" || Outcome(42).String() != "Outcome(42)" {
		t.Fatalf("got %q %q", Multiple, Outcome(42))
	}
}

func TestRangeHelpers(t *testing.T) {
	r := Range{500, 999}
	if r.Length() != 500 || r.ContentRange(10000) != "bytes 500-999/10000" {
		t.Fatalf("Length %d, ContentRange %q", r.Length(), r.ContentRange(10000))
	}
}
