// Package jsondur is the duration type of acsemu's JSON APIs (the control
// plane and fault rules): a time.Duration written as a Go duration string.
package jsondur

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that travels in JSON as a Go duration string
// ("250ms", "2h30m"); a bare JSON number is read as milliseconds.
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
	if err != nil {
		return &json.UnmarshalTypeError{Value: s, Type: reflect.TypeFor[Duration]()}
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}
