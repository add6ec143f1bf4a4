// Package jsondur is the duration type of acsemu's JSON APIs (the control
// plane and fault rules): a time.Duration written as a Go duration string.
package jsondur

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that travels in JSON as a Go duration string
// ("250ms", "2h30m"); a bare JSON number is read as milliseconds. A number
// beyond what a time.Duration holds (about ±292 years) is an error, never a
// wrapped value. Negative values parse, as "-5s" does: each field's own
// check decides whether they are valid there (fault waits, recording specs).
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		v, err := time.ParseDuration(str)
		if err != nil {
			return &json.UnmarshalTypeError{Value: strconv.Quote(str), Type: reflect.TypeFor[Duration]()}
		}
		*d = Duration(v)
		return nil
	}
	ms, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return &json.UnmarshalTypeError{Value: s, Type: reflect.TypeFor[Duration]()}
	}
	// Converting an out-of-range float to an integer is undefined in Go (on
	// amd64 1e300 ms became a negative duration), so the range is checked on
	// the float, against the largest duration a string could give.
	ns := ms * float64(time.Millisecond)
	if err != nil || math.IsNaN(ns) || ns >= maxNanos || ns <= -maxNanos {
		return fmt.Errorf("duration %s ms is out of range: at most ±%v (%.0f ms)", clip(s), time.Duration(math.MaxInt64), maxNanos/float64(time.Millisecond))
	}
	*d = Duration(time.Duration(ns))
	return nil
}

// maxNanos is 2^63 as a float64: every float strictly inside ±maxNanos
// converts to an int64 exactly.
const maxNanos = float64(1 << 63)

// clip keeps an error message short whatever number was sent.
func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
