package httprange

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
)

// DefaultMaxRanges bounds the range-specs honoured in one header when
// Options.MaxRanges is not set.
const DefaultMaxRanges = 100

// Range is a byte range with inclusive ends, as Content-Range writes it.
type Range struct{ Start, End int64 } // inclusive

// Length is the number of bytes in r.
func (r Range) Length() int64 { return r.End - r.Start + 1 }

// ContentRange is the Content-Range value of r within a representation of size bytes.
func (r Range) ContentRange(size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", r.Start, r.End, size)
}

// Outcome is what a Range header amounts to, before If-Range, the method or a fault
// decide whether it is honoured.
type Outcome int

const (
	NoRange       Outcome = iota // no Range header: 200 with the whole representation
	OtherUnit                    // a unit other than bytes: ignored (RFC 9110 §14.2), 200
	Malformed                    // invalid syntax: 200 under Ignore, 400 under Reject400
	TooMany                      // more range-specs than MaxRanges: ignored, 200
	Unsatisfiable                // no range overlaps the representation: 416
	Single                       // one satisfiable range: 206 with Content-Range
	Multiple                     // several: 206 multipart/byteranges
)

var outcomeNames = [...]string{"none", "other-unit", "malformed", "too-many", "unsatisfiable", "single", "multiple"}

func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
	return outcomeNames[o]
}

// MalformedPolicy says how a syntactically invalid Range header is answered.
type MalformedPolicy int

const (
	// Ignore serves the whole representation with 200, as RFC 9110 §14.2 says.
	Ignore MalformedPolicy = iota
	// Reject400 answers 400 with an HTML page, as the real recording service did
	// from April 2025 to the `bytes=undefined`, `bytes=5` and `bytes=0` that the
	// JS SDK 1.5.1 sent (reference/acs-wire.md, "Downloads").
	Reject400
)

// Errors that Parse wraps; test them with errors.Is.
var (
	ErrMalformed     = errors.New("malformed Range header")
	ErrTooMany       = errors.New("too many ranges")
	ErrUnsatisfiable = errors.New("range not satisfiable")
)

// Parsed is the result of Parse.
type Parsed struct {
	Outcome Outcome
	// Ranges are the satisfiable ranges, clamped to the representation, in the
	// order asked (or sorted and merged when Note says they were coalesced).
	// Only Single and Multiple have ranges.
	Ranges []Range
	// Status is the answer the outcome calls for under the policy given:
	// 200, 206, 400 or 416.
	Status int
	// Note says, for the journal, which decision was taken and why.
	Note string
}

// Parse evaluates a Range header value with the default Options.
func Parse(header string, size int64) (Parsed, error) { return Options{}.Parse(header, size) }

// Parse evaluates a Range header value against a representation of size bytes
// (a negative size counts as 0). It never panics. The error is nil for NoRange,
// OtherUnit, Single and Multiple; otherwise it wraps ErrMalformed, ErrTooMany or
// ErrUnsatisfiable with the detail. Problems are reported in the order they
// appear, so a header that is both long and malformed early is Malformed.
func (o Options) Parse(header string, size int64) (Parsed, error) {
	size = max(size, 0)
	header = strings.Trim(header, " \t")
	if header == "" {
		return Parsed{Outcome: NoRange, Status: http.StatusOK}, nil
	}
	unit, set, ok := strings.Cut(header, "=")
	if !ok || !isToken(unit) {
		return o.malformed("no range-unit \"=\"")
	}
	// Range units are case-insensitive (RFC 9110 §14.1).
	if !strings.EqualFold(unit, "bytes") {
		return Parsed{Outcome: OtherUnit, Status: http.StatusOK,
			Note: fmt.Sprintf("range unit %q ignored (RFC 9110 §14.2), whole representation", clip(unit))}, nil
	}
	limit := o.maxRanges()
	var ranges []Range
	specs, dropped := 0, 0
	for elem := range strings.SplitSeq(set, ",") {
		// The #-rule allows OWS around commas and empty elements (RFC 9110 §5.6.1).
		elem = strings.Trim(elem, " \t")
		if elem == "" {
			continue
		}
		specs++
		if specs > limit {
			// Stop here: the rest of a huge header is never looked at.
			return Parsed{Outcome: TooMany, Status: http.StatusOK,
					Note: fmt.Sprintf("more than %d range-specs, Range ignored (RFC 9110 §14.2), whole representation", limit)},
				fmt.Errorf("%w: more than %d", ErrTooMany, limit)
		}
		r, satisfiable, err := parseSpec(elem, size)
		if err != nil {
			return o.malformed(err.Error())
		}
		if !satisfiable {
			dropped++
			continue
		}
		ranges = append(ranges, r)
	}
	if specs == 0 {
		return o.malformed("empty range-set")
	}
	if len(ranges) == 0 {
		return Parsed{Outcome: Unsatisfiable, Status: http.StatusRequestedRangeNotSatisfiable,
				Note: fmt.Sprintf("no range overlaps the %d bytes", size)},
			fmt.Errorf("%w: %d bytes", ErrUnsatisfiable, size)
	}
	var notes []string
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d unsatisfiable range-specs dropped", dropped))
	}
	if n := overlapping(ranges); n > 2 {
		// RFC 9110 §14.2 names more than two overlapping ranges as a sign of a
		// broken client or an attack; merging them bounds the answer to one copy
		// of the representation while still giving the client every byte it asked.
		before := len(ranges)
		ranges = coalesce(ranges)
		notes = append(notes, fmt.Sprintf("%d overlapping ranges: coalesced %d ranges into %d", n, before, len(ranges)))
	}
	p := Parsed{Outcome: Single, Ranges: ranges, Status: http.StatusPartialContent, Note: strings.Join(notes, "; ")}
	if len(ranges) > 1 {
		p.Outcome = Multiple
	}
	return p, nil
}

func (o Options) maxRanges() int {
	if o.MaxRanges <= 0 {
		return DefaultMaxRanges
	}
	return o.MaxRanges
}

func (o Options) malformed(why string) (Parsed, error) {
	p := Parsed{Outcome: Malformed, Status: http.StatusOK,
		Note: "malformed Range (" + why + "), ignored (RFC 9110 §14.2), whole representation"}
	if o.MalformedPolicy == Reject400 {
		p.Status = http.StatusBadRequest
		p.Note = "malformed Range (" + why + "), rejected with 400 as the real service did"
	}
	return p, fmt.Errorf("%w: %s", ErrMalformed, why)
}

// parseSpec parses one range-spec: int-range (`a-b`, `a-`) or suffix-range (`-n`).
// A syntactically valid spec may still be unsatisfiable; it is then dropped from
// the set rather than failing it (RFC 9110 §14.1.2).
func parseSpec(spec string, size int64) (r Range, satisfiable bool, err error) {
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return Range{}, false, fmt.Errorf("range-spec %q has no \"-\"", clip(spec))
	}
	if first == "" { // suffix-range
		n, err := parseNum(last)
		if err != nil {
			return Range{}, false, fmt.Errorf("suffix-length %q: %v", clip(last), err)
		}
		// A zero suffix-length selects nothing, and nothing is selected of an
		// empty representation (RFC 9110 §14.1.2).
		if n == 0 || size == 0 {
			return Range{}, false, nil
		}
		return Range{Start: size - min(n, size), End: size - 1}, true, nil
	}
	start, err := parseNum(first)
	if err != nil {
		return Range{}, false, fmt.Errorf("first-pos %q: %v", clip(first), err)
	}
	end := int64(math.MaxInt64)
	if last != "" {
		if end, err = parseNum(last); err != nil {
			return Range{}, false, fmt.Errorf("last-pos %q: %v", clip(last), err)
		}
		if end < start {
			return Range{}, false, fmt.Errorf("range-spec %q ends before it starts", clip(spec))
		}
	}
	if start >= size {
		return Range{}, false, nil
	}
	// A last-pos at or beyond the end means "to the end" (RFC 9110 §14.1.1).
	return Range{Start: start, End: min(end, size-1)}, true, nil
}

// parseNum parses 1*DIGIT. Numbers beyond int64 are refused instead of wrapping,
// which RFC 9110 §14.1.1 asks recipients to guard against.
func parseNum(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("no digits")
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a digit %q", c)
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, errors.New("overflows int64")
		}
		n = n*10 + d
	}
	return n, nil
}

// clip bounds what a note quotes from the header: the header itself is in the
// journal, and may be up to a megabyte.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// isToken reports whether s is an RFC 9110 token (range-unit).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// overlapping counts the ranges that share at least one byte with another.
func overlapping(rs []Range) int {
	if len(rs) < 2 {
		return 0
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return rs[idx[a]].Start < rs[idx[b]].Start })
	involved := make([]bool, len(rs))
	reach := idx[0] // the range, so far, that ends furthest
	for _, i := range idx[1:] {
		if rs[i].Start <= rs[reach].End {
			involved[i], involved[reach] = true, true
		}
		if rs[i].End > rs[reach].End {
			reach = i
		}
	}
	n := 0
	for _, b := range involved {
		if b {
			n++
		}
	}
	return n
}

// coalesce sorts rs and merges ranges that overlap or touch (RFC 9110 §14.6
// allows it regardless of the order asked). It works on a copy.
func coalesce(rs []Range) []Range {
	sorted := append([]Range(nil), rs...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].Start < sorted[b].Start })
	out := sorted[:1]
	for _, r := range sorted[1:] {
		last := &out[len(out)-1]
		if r.Start <= last.End+1 {
			last.End = max(last.End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}
