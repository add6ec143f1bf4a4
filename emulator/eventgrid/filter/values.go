package filter

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// number returns v as a finite float64 if it is a number: float64 from plain
// encoding/json, json.Number from Decoder.UseNumber, or a Go numeric type from
// events and specs built in code. Strings are not numbers, even numeric ones:
// Event Grid compares typed JSON values and ignores mismatched types.
func number(v any) (float64, bool) {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(n), 64); err != nil {
			return 0, false
		}
	case float32:
		f = float64(n)
	case int:
		f = float64(n)
	case int8:
		f = float64(n)
	case int16:
		f = float64(n)
	case int32:
		f = float64(n)
	case int64:
		f = float64(n)
	case uint:
		f = float64(n)
	case uint8:
		f = float64(n)
	case uint16:
		f = float64(n)
	case uint32:
		f = float64(n)
	case uint64:
		f = float64(n)
	default:
		return 0, false
	}
	// NaN never compares and ±Inf cannot come from JSON; treating them as
	// "not a number" keeps hand-built json.Number("NaN") from matching
	// NumberNotIn-style operators by accident.
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// list returns the elements of v if it is a slice or array. JSON gives []any;
// Go callers may write ranges as []float64{1, 2} or [2]float64{1, 2} and
// array-valued event properties as []string, so any element type is taken.
func list(v any) ([]any, bool) {
	if l, ok := v.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// canonicalString is the CloudEvents canonical string form of a context
// attribute value (CloudEvents 1.0 "Type System"): strings as they are,
// booleans as true/false, integers in decimal.
func canonicalString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	}
	f, ok := number(v)
	if !ok {
		return "", false
	}
	// Go through float64 so a json.Number and a float64 of the same JSON
	// literal give the same string, whichever way the event was decoded.
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10), true
	}
	return strconv.FormatFloat(f, 'g', -1, 64), true
}

// fold prepares a string for case-insensitive comparison. Upper-casing both
// sides mirrors .NET's OrdinalIgnoreCase, which Event Grid is built on.
func fold(s string) string { return strings.ToUpper(s) }

// describe names a JSON value's type (and short value) for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case map[string]any:
		return "an object"
	}
	if _, ok := number(v); ok {
		return fmt.Sprintf("number %v", v)
	}
	if _, ok := v.(json.Number); ok {
		return fmt.Sprintf("out-of-range number %v", v)
	}
	if l, ok := list(v); ok {
		return fmt.Sprintf("an array of %d", len(l))
	}
	return fmt.Sprintf("a %T", v)
}
