package httprange

import (
	"errors"
	"net/http"
	"testing"
)

// FuzzParse checks that Parse never panics and that what it returns can be
// served as is: ranges inside the representation, in order, bounded in number,
// and an outcome, status and error that agree.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		if len(c.header) > 1000 {
			continue // huge seeds make the fuzzer spend its time minimizing
		}
		f.Add(c.header, c.size, c.opts.MaxRanges, c.opts.MalformedPolicy == Reject400)
	}
	f.Fuzz(func(t *testing.T, header string, size int64, maxRanges int, reject bool) {
		opts := Options{MaxRanges: maxRanges % 200}
		if reject {
			opts.MalformedPolicy = Reject400
		}
		p, err := opts.Parse(header, size)
		limit := opts.maxRanges()
		if len(p.Ranges) > limit {
			t.Fatalf("%d ranges over a limit of %d", len(p.Ranges), limit)
		}
		for _, r := range p.Ranges {
			if r.Start < 0 || r.Start > r.End || r.End >= size {
				t.Fatalf("range %v outside [0,%d)", r, size)
			}
		}
		var status int
		var wantErr error
		countOK := len(p.Ranges) == 0
		switch p.Outcome {
		case NoRange, OtherUnit:
			status = http.StatusOK
		case Malformed:
			status, wantErr = http.StatusOK, ErrMalformed
			if reject {
				status = http.StatusBadRequest
			}
		case TooMany:
			status, wantErr = http.StatusOK, ErrTooMany
		case Unsatisfiable:
			status, wantErr = http.StatusRequestedRangeNotSatisfiable, ErrUnsatisfiable
		case Single:
			status, countOK = http.StatusPartialContent, len(p.Ranges) == 1
		case Multiple:
			status, countOK = http.StatusPartialContent, len(p.Ranges) > 1
		}
		if status == 0 || p.Status != status || !countOK || (wantErr == nil) != (err == nil) || (wantErr != nil && !errors.Is(err, wantErr)) {
			t.Fatalf("Parse(%q, %d) = %v status %d, %d ranges, err %v", header, size, p.Outcome, p.Status, len(p.Ranges), err)
		}
		// Once coalesced, no three ranges overlap.
		if overlapping(p.Ranges) > 2 {
			t.Fatalf("%d overlapping ranges left in %v", overlapping(p.Ranges), p.Ranges)
		}
	})
}
