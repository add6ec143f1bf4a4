package faults

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/journal"
)

// Action is what a rule does when it fires. Each action is a small struct
// whose exported fields are its JSON parameters, registered under its Kind
// (Kinds lists them all).
type Action interface {
	// Kind is the registered type name, the "type" of the JSON form.
	Kind() string
	// Validate checks the parameters; a *FieldError names the bad one.
	Validate() error
	// targets are the targets the action applies to.
	targets() []string
	// fire is called under the injector's lock each time the rule fires.
	// Random draws happen here, so they follow the order of the requests.
	fire(f *firing) effect
}

// firing is what an action knows when its rule fires.
type firing struct {
	rule string     // the rule's ID
	n    int64      // 1-based count of the rule's firings
	rnd  *rand.Rand // the rule's own source
	now  time.Time  // the emulator's clock
}

// effect is a fired action's plan for one request. It implements one or
// more of the phase interfaces in call.go and delivery.go.
type effect any

// Target sets.
var (
	downloadTargets = []string{journal.TargetMedia, journal.TargetMetadata}
	requestTargets  = []string{journal.TargetMedia, journal.TargetMetadata, journal.TargetDelete, journal.TargetCalling, journal.TargetUnknown}
	deliveryTargets = []string{TargetDelivery}
	anyTargets      = append(slices.Clone(requestTargets), TargetDelivery)
)

var registry = map[string]func() Action{}

// register makes an action available under kind; each action's file calls it
// from init.
func register(kind string, ctor func() Action) { registry[kind] = ctor }

// Kinds lists the registered action types.
func Kinds() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// targetsOf lists the Match targets the action applies to.
func targetsOf(a Action) []string {
	var out []string
	for _, t := range a.targets() {
		if slices.Contains(Targets, t) {
			out = append(out, t)
		}
	}
	return out
}

// marshalAction writes {"type": kind, params...}.
func marshalAction(a Action) ([]byte, error) {
	if a == nil {
		return []byte("null"), nil
	}
	params, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	kind, _ := json.Marshal(a.Kind())
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	b.Write(kind)
	if rest := bytes.TrimSpace(params); len(rest) > 2 {
		b.WriteByte(',')
		b.Write(rest[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes(), nil
}

// unmarshalAction reads {"type": kind, params...} strictly.
func unmarshalAction(raw []byte) (Action, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, fieldErr("", "must be an object such as {\"type\":\"status\",\"status\":503}")
	}
	var kind string
	if err := json.Unmarshal(fields["type"], &kind); err != nil || kind == "" {
		return nil, fieldErr("type", "required: one of %s", strings.Join(Kinds(), ", "))
	}
	ctor, ok := registry[kind]
	if !ok {
		return nil, fieldErr("type", "%q is not one of %s", kind, strings.Join(Kinds(), ", "))
	}
	delete(fields, "type")
	rest, err := json.Marshal(fields)
	if err != nil {
		return nil, fieldErr("", "%v", err)
	}
	a := ctor()
	if err := strictDecode(rest, a); err != nil {
		if fe, ok := err.(*FieldError); ok && fe.Message == "unknown field" {
			fe.Message = "unknown field (" + kind + " takes " + paramList(a) + ")"
		}
		return nil, err
	}
	return a, nil
}

// paramList names the JSON parameters of an action.
func paramList(a Action) string {
	var names []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case f.Anonymous && tag == "":
				walk(f.Type)
			case f.IsExported() && tag != "-":
				names = append(names, tag)
			}
		}
	}
	walk(reflect.TypeOf(a))
	if len(names) == 0 {
		return "no parameters"
	}
	return strings.Join(names, ", ")
}
