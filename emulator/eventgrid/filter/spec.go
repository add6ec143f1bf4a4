package filter

import (
	"fmt"
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
)

// The filter's wire form lives in package api. Spec is a distinct type over
// api.EventFilter so that it carries the matching and validation methods;
// convert with Spec(f).
type (
	Schema   = api.EventSchema
	Spec     api.EventFilter
	Advanced = api.AdvancedFilter
)

// Delivery schemas understood by the filter. CustomInputSchema is not
// supported by the emulator.
const (
	EventGridSchema  = api.EventGridSchema
	CloudEventSchema = api.CloudEventSchema
)

// normalize maps the zero Schema to Event Grid's default so callers that
// leave eventDeliverySchema unset get what Azure gives them.
func normalize(s Schema) Schema {
	if s == "" {
		return EventGridSchema
	}
	return s
}

// ValidationError says which field of a Spec Azure would reject and why.
type ValidationError struct {
	// Field is the JSON path inside the filter object, such as
	// "advancedFilters[3].values[1]" or "includedEventTypes[0]".
	Field string
	// Message says what is wrong and what is allowed.
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid event subscription filter: %s: %s", e.Field, e.Message)
}

// Limits from the Event Grid documentation ("Limitations" of advanced
// filtering), plus the key nesting depth the emulator allows below data.
const (
	MaxAdvancedFilters = 25  // advanced filters per subscription
	MaxFilterValues    = 25  // values across all advanced filters of a subscription
	MaxStringValueLen  = 512 // characters per string value
	MaxKeyDepth        = 10  // property levels below "data" in a key
)

// kind groups operators by the shape of their values and how they compare.
type kind int

const (
	kindNumberCompare kind = iota // single number value, ordered comparison
	kindNumberSet                 // list of numbers, equality
	kindNumberRange               // list of [min,max] pairs, inclusive
	kindBool                      // single boolean value
	kindString                    // list of strings, case-insensitive
	kindNull                      // no value: null / presence checks
)

// operator describes one operatorType. Negated operators are evaluated as the
// positive operator they negate ("none of the values matches"), which keeps
// the pairs exact complements whenever the key is present.
type operator struct {
	kind          kind
	negated       bool
	passOnMissing bool // result when the key is missing or null
	cmp           func(key, value float64) bool
	str           func(key, value string) bool // both already upper-cased
}

// Operator names exactly as ARM spells them (the discriminator is
// case-sensitive).
const (
	NumberIn                  = "NumberIn"
	NumberNotIn               = "NumberNotIn"
	NumberLessThan            = "NumberLessThan"
	NumberGreaterThan         = "NumberGreaterThan"
	NumberLessThanOrEquals    = "NumberLessThanOrEquals"
	NumberGreaterThanOrEquals = "NumberGreaterThanOrEquals"
	NumberInRange             = "NumberInRange"
	NumberNotInRange          = "NumberNotInRange"
	BoolEquals                = "BoolEquals"
	StringContains            = "StringContains"
	StringNotContains         = "StringNotContains"
	StringBeginsWith          = "StringBeginsWith"
	StringNotBeginsWith       = "StringNotBeginsWith"
	StringEndsWith            = "StringEndsWith"
	StringNotEndsWith         = "StringNotEndsWith"
	StringIn                  = "StringIn"
	StringNotIn               = "StringNotIn"
	IsNullOrUndefined         = "IsNullOrUndefined"
	IsNotNull                 = "IsNotNull"
)

// Operators returns every operatorType in the order the docs present them.
func Operators() []string { return append([]string(nil), operatorNames...) }

var operatorNames = []string{
	NumberIn, NumberNotIn, NumberLessThan, NumberGreaterThan,
	NumberLessThanOrEquals, NumberGreaterThanOrEquals, NumberInRange,
	NumberNotInRange, BoolEquals, StringContains, StringNotContains,
	StringBeginsWith, StringNotBeginsWith, StringEndsWith, StringNotEndsWith,
	StringIn, StringNotIn, IsNullOrUndefined, IsNotNull,
}

func eq(k, v float64) bool { return k == v }

func equals(k, v string) bool { return k == v }

var operators = map[string]operator{
	NumberIn:                  {kind: kindNumberSet, cmp: eq},
	NumberNotIn:               {kind: kindNumberSet, cmp: eq, negated: true, passOnMissing: true},
	NumberLessThan:            {kind: kindNumberCompare, cmp: func(k, v float64) bool { return k < v }},
	NumberGreaterThan:         {kind: kindNumberCompare, cmp: func(k, v float64) bool { return k > v }},
	NumberLessThanOrEquals:    {kind: kindNumberCompare, cmp: func(k, v float64) bool { return k <= v }},
	NumberGreaterThanOrEquals: {kind: kindNumberCompare, cmp: func(k, v float64) bool { return k >= v }},
	NumberInRange:             {kind: kindNumberRange},
	NumberNotInRange:          {kind: kindNumberRange, negated: true, passOnMissing: true},
	BoolEquals:                {kind: kindBool},
	StringContains:            {kind: kindString, str: strings.Contains},
	StringNotContains:         {kind: kindString, str: strings.Contains, negated: true},
	StringBeginsWith:          {kind: kindString, str: strings.HasPrefix},
	StringNotBeginsWith:       {kind: kindString, str: strings.HasPrefix, negated: true},
	StringEndsWith:            {kind: kindString, str: strings.HasSuffix},
	StringNotEndsWith:         {kind: kindString, str: strings.HasSuffix, negated: true},
	StringIn:                  {kind: kindString, str: equals},
	StringNotIn:               {kind: kindString, str: equals, negated: true, passOnMissing: true},
	IsNullOrUndefined:         {kind: kindNull, passOnMissing: true},
	IsNotNull:                 {kind: kindNull, negated: true},
}
