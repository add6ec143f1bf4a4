package calling

import (
	"strings"
	"time"
)

// Timestamp is a time as Call Automation writes it in callbacks (recorded):
// UTC with exactly seven fractional digits and "+00:00", e.g.
// 2025-06-13T19:03:17.3413759+00:00; the zero time is written
// 0001-01-01T00:00:00+00:00, as in the first "inactive" callback.
type Timestamp struct{ time.Time }

const (
	timestampLayout = "2006-01-02T15:04:05.0000000+00:00"
	zeroTimestamp   = "0001-01-01T00:00:00+00:00"
)

// String is the wire form.
func (t Timestamp) String() string {
	if t.IsZero() {
		return zeroTimestamp
	}
	return t.UTC().Format(timestampLayout)
}

// MarshalJSON writes the wire form.
func (t Timestamp) MarshalJSON() ([]byte, error) { return []byte(`"` + t.String() + `"`), nil }

// UnmarshalJSON reads any RFC 3339 time.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	t.Time = v
	return err
}
