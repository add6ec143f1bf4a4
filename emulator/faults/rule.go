package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
)

// TargetDelivery is the target of Event Grid delivery attempts; the other
// targets are the journal's data-plane targets (media, metadata, delete, calling).
const TargetDelivery = api.TargetDelivery

// Targets a rule may name in Match.Target.
var Targets = []string{journal.TargetMedia, journal.TargetMetadata, journal.TargetDelete, journal.TargetCalling, TargetDelivery}

// Rule is a fault rule: which requests it matches, when it fires among them,
// and what it does. See the package documentation for its JSON form.
type Rule struct {
	// ID names the rule; "" has one assigned (f1, f2, ...). It also seeds the
	// rule's random source, with the emulator's seed.
	ID string
	// Description is free text shown in listings.
	Description string
	Match       Match
	When        When
	// Action is what the rule does when it fires: one of the registered
	// actions (*Status, *Latency, *Reset, ...).
	Action Action
}

// When says which of the matching requests the rule fires on (api.FaultWhen).
type When = api.FaultWhen

// RuleStatus is a rule with its counters, as listings show it.
type RuleStatus struct {
	Rule Rule `json:"rule"`
	// Matched counts the requests that reached this rule and matched it;
	// Fired those it fired on.
	Matched int64 `json:"matched"`
	Fired   int64 `json:"fired"`
}

// FieldError is a rule refused because of one field, named with its JSON
// path ("action.afterBytes", "rules[2].when.probability").
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// under prefixes the field of a *FieldError (or turns another error into one).
func under(prefix string, err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return &FieldError{Field: prefix, Message: err.Error()}
	}
	f := fe.Field
	switch {
	case f == "":
		f = prefix
	case strings.HasPrefix(f, "["):
		f = prefix + f
	default:
		f = prefix + "." + f
	}
	return &FieldError{Field: f, Message: fe.Message}
}

type ruleJSON struct {
	ID          string          `json:"id,omitempty"`
	Description string          `json:"description,omitempty"`
	Match       json.RawMessage `json:"match,omitempty"`
	When        json.RawMessage `json:"when,omitempty"`
	Action      json.RawMessage `json:"action"`
}

// MarshalJSON writes the rule with its action as {"type": ..., params...}.
func (r Rule) MarshalJSON() ([]byte, error) {
	act, err := marshalAction(r.Action)
	if err != nil {
		return nil, err
	}
	m, err := json.Marshal(r.Match)
	if err != nil {
		return nil, err
	}
	w, err := json.Marshal(r.When)
	if err != nil {
		return nil, err
	}
	return json.Marshal(ruleJSON{ID: r.ID, Description: r.Description, Match: m, When: w, Action: act})
}

// UnmarshalJSON reads a rule strictly: an unknown field is an error naming
// it. It does not validate the values (Validate does).
func (r *Rule) UnmarshalJSON(b []byte) error {
	var in ruleJSON
	if err := strictDecode(b, &in); err != nil {
		return err
	}
	var out Rule
	if len(in.Match) > 0 {
		if err := strictDecode(in.Match, &out.Match); err != nil {
			return under("match", err)
		}
	}
	if len(in.When) > 0 {
		if err := strictDecode(in.When, &out.When); err != nil {
			return under("when", err)
		}
	}
	if len(in.Action) == 0 || string(in.Action) == "null" {
		return fieldErr("action", "required, for example {\"type\":\"status\",\"status\":503}")
	}
	act, err := unmarshalAction(in.Action)
	if err != nil {
		return under("action", err)
	}
	out.ID, out.Description, out.Action = in.ID, in.Description, act
	*r = out
	return nil
}

// strictDecode decodes one JSON value refusing unknown fields, and turns
// encoding/json's errors into *FieldError.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON value")
	}
	var te *json.UnmarshalTypeError
	var fe *FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return err
	case errors.As(err, &te) && te.Field != "":
		return fieldErr(te.Field, "%s is not %s", te.Value, typeName(te.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldErr(name, "unknown field")
	}
	return &FieldError{Message: "invalid JSON: " + err.Error()}
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// reservedIDs are control-plane routes under /_emulator/faults/.
var reservedIDs = []string{"violations", "fired"}

// Validate checks every field and reports the first bad one as a *FieldError.
func (r Rule) Validate() error {
	if r.ID != "" && (!idPattern.MatchString(r.ID) || slices.Contains(reservedIDs, r.ID)) {
		return fieldErr("id", "%q: use 1 to 64 letters, digits, '.', '_' or '-' (not %s)", r.ID, strings.Join(reservedIDs, " or "))
	}
	if len(r.Description) > 1024 {
		return fieldErr("description", "longer than 1024 bytes")
	}
	if r.Action == nil {
		return fieldErr("action", "required")
	}
	if err := validateMatch(r.Match, r.Action); err != nil {
		return under("match", err)
	}
	if err := validateWhen(r.When); err != nil {
		return under("when", err)
	}
	if err := r.Action.Validate(); err != nil {
		return under("action", err)
	}
	return nil
}

func validateWhen(w When) error {
	switch {
	case w.Skip < 0:
		return fieldErr("skip", "must not be negative")
	case w.Times < 0:
		return fieldErr("times", "must not be negative (0 means no limit)")
	case w.Probability != nil && (math.IsNaN(*w.Probability) || *w.Probability <= 0 || *w.Probability > 1):
		return fieldErr("probability", "must be greater than 0 and at most 1")
	}
	return nil
}

// typeName describes what a JSON field wants.
func typeName(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[Duration]():
		return `a duration: use a string such as "250ms" or "2s", or a number of milliseconds`
	case t == reflect.TypeFor[RetryAfter]():
		return "a Retry-After: use a whole number of seconds or an HTTP-date string"
	case t == nil:
		return "valid here"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a valid integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice:
		return "a list"
	}
	return "a valid " + t.String()
}
