package filter

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Top-level keys advanced filters may use besides data.<property>.
var (
	eventGridKeys  = []string{"id", "topic", "subject", "eventType", "dataVersion"}
	cloudEventKeys = []string{"id", "source", "type", "specversion", "subject"}
)

// Validate reports the first part of the filter that Azure would refuse when
// the subscription is created or updated, as a *ValidationError. It checks
// the schema, event types, the advanced filter count, each filter's operator,
// key and values, and the total number of values.
func (s Spec) Validate(schema Schema) error {
	schema = normalize(schema)
	if schema != EventGridSchema && schema != CloudEventSchema {
		return &ValidationError{"eventDeliverySchema", fmt.Sprintf(
			"unsupported delivery schema %q; allowed: %s, %s", string(schema), EventGridSchema, CloudEventSchema)}
	}
	for i, t := range s.IncludedEventTypes {
		if strings.TrimSpace(t) == "" {
			return &ValidationError{fmt.Sprintf("includedEventTypes[%d]", i),
				"event type must not be empty; leave includedEventTypes out to receive every type"}
		}
	}
	if n := len(s.AdvancedFilters); n > MaxAdvancedFilters {
		return &ValidationError{"advancedFilters", fmt.Sprintf(
			"%d advanced filters given; at most %d are allowed per subscription", n, MaxAdvancedFilters)}
	}
	total := 0
	for i, a := range s.AdvancedFilters {
		field := fmt.Sprintf("advancedFilters[%d]", i)
		if err := validateAdvanced(a, schema, field); err != nil {
			return err
		}
		// The limit is on values across all filters, so the error points at
		// the filter that crosses it.
		n, where := valueCount(a)
		if total += n; total > MaxFilterValues {
			return &ValidationError{field + "." + where, fmt.Sprintf(
				"this filter brings the total number of filter values to %d; at most %d are allowed across all advanced filters",
				total, MaxFilterValues)}
		}
	}
	return nil
}

// valueCount is how many values a filter contributes to the subscription-wide
// limit and which field holds them. A range counts as one value.
func valueCount(a Advanced) (int, string) {
	switch operators[a.OperatorType].kind {
	case kindNumberCompare, kindBool:
		return 1, "value"
	case kindNull:
		return 0, ""
	}
	return len(a.Values), "values"
}

func validateAdvanced(a Advanced, schema Schema, field string) error {
	op, ok := operators[a.OperatorType]
	if !ok {
		return &ValidationError{field + ".operatorType", unknownOperator(a.OperatorType)}
	}
	if msg := checkKey(schema, a.Key); msg != "" {
		return &ValidationError{field + ".key", msg}
	}
	name := a.OperatorType
	switch op.kind {
	case kindNull:
		if a.Value != nil {
			return &ValidationError{field + ".value", name + " takes no value"}
		}
		if len(a.Values) > 0 {
			return &ValidationError{field + ".values", name + " takes no values"}
		}
		return nil
	case kindNumberCompare, kindBool:
		want := "a number"
		if op.kind == kindBool {
			want = "true or false"
		}
		if len(a.Values) > 0 {
			return &ValidationError{field + ".values", fmt.Sprintf(
				"%s compares with a single value: set \"value\" to %s instead of \"values\"", name, want)}
		}
		if a.Value == nil {
			return &ValidationError{field + ".value", fmt.Sprintf("%s needs \"value\": %s", name, want)}
		}
		if msg := checkValue(op.kind, name, a.Value); msg != "" {
			return &ValidationError{field + ".value", msg}
		}
		return nil
	}
	if a.Value != nil {
		return &ValidationError{field + ".value", fmt.Sprintf(
			"%s takes a list in \"values\", not a single \"value\"", name)}
	}
	if len(a.Values) == 0 {
		return &ValidationError{field + ".values", fmt.Sprintf(
			"%s needs at least one entry in \"values\" (%s)", name, valuesShape(op.kind))}
	}
	for j, v := range a.Values {
		if msg := checkValue(op.kind, name, v); msg != "" {
			return &ValidationError{fmt.Sprintf("%s.values[%d]", field, j), msg}
		}
	}
	return nil
}

func valuesShape(k kind) string {
	switch k {
	case kindNumberRange:
		return "[min, max] pairs of numbers with min <= max, as in [[0, 1000]]"
	case kindNumberSet:
		return "numbers"
	}
	return fmt.Sprintf("strings of at most %d characters", MaxStringValueLen)
}

// checkValue returns a message if v is not a valid value for the operator.
func checkValue(k kind, name string, v any) string {
	switch k {
	case kindNumberCompare, kindNumberSet:
		if _, ok := number(v); !ok {
			return fmt.Sprintf("%s needs a number, got %s", name, describe(v))
		}
	case kindBool:
		if _, ok := v.(bool); !ok {
			return fmt.Sprintf("%s needs true or false, got %s", name, describe(v))
		}
	case kindString:
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("%s needs a string, got %s", name, describe(v))
		}
		if n := utf8.RuneCountInString(s); n > MaxStringValueLen {
			return fmt.Sprintf("string value is %d characters long; at most %d are allowed", n, MaxStringValueLen)
		}
	case kindNumberRange:
		pair, ok := list(v)
		if !ok || len(pair) != 2 {
			return fmt.Sprintf("%s needs each value to be a [min, max] pair of numbers, got %s", name, describe(v))
		}
		r, ok := numberRange(v)
		if !ok {
			return fmt.Sprintf("%s needs numbers in [min, max], got [%s, %s]", name, describe(pair[0]), describe(pair[1]))
		}
		if r[0] > r[1] {
			return fmt.Sprintf("range [%v, %v] has min greater than max; write it as [min, max] with min <= max", pair[0], pair[1])
		}
	}
	return ""
}

func unknownOperator(name string) string {
	if name == "" {
		return "operatorType is required; allowed: " + strings.Join(operatorNames, ", ")
	}
	// Operator names are a case-sensitive discriminator in ARM; point out
	// the likely typo rather than listing all 19.
	for _, known := range operatorNames {
		if strings.EqualFold(known, name) {
			return fmt.Sprintf("unknown operatorType %q; operator names are case-sensitive: did you mean %q?", name, known)
		}
	}
	return fmt.Sprintf("unknown operatorType %q; allowed: %s", name, strings.Join(operatorNames, ", "))
}

// checkKey returns a message if key cannot be filtered on in schema.
func checkKey(schema Schema, key string) string {
	if key == "" {
		return "key is required: a top-level property or data.<property>"
	}
	names := strings.Split(key, ".")
	for _, n := range names {
		if n == "" {
			return fmt.Sprintf("key %q has an empty property name; separate names with single dots, as in data.recordingStorageInfo", key)
		}
	}
	if strings.EqualFold(names[0], "data") {
		depth := len(names) - 1
		if depth == 0 {
			return "key \"data\" must name a property inside the event data, as in data.recordingDurationMs"
		}
		if depth > MaxKeyDepth {
			return fmt.Sprintf("key %q is nested %d levels below data; at most %d are allowed", key, depth, MaxKeyDepth)
		}
		return ""
	}
	allowed := eventGridKeys
	if schema == CloudEventSchema {
		allowed = cloudEventKeys
	}
	if len(names) > 1 {
		return fmt.Sprintf("key %q nests below %q; only data.<property> keys can be nested", key, names[0])
	}
	for _, k := range allowed {
		if strings.EqualFold(k, key) {
			return ""
		}
	}
	if schema == CloudEventSchema {
		if isAttributeName(key) {
			return "" // an extension context attribute
		}
		return fmt.Sprintf("key %q is not filterable in %s; allowed: %s, an extension attribute name (letters a-z and digits) or data.<property>",
			key, schema, strings.Join(allowed, ", "))
	}
	return fmt.Sprintf("key %q is not filterable in %s; allowed: %s or data.<property>",
		key, schema, strings.Join(allowed, ", "))
}

// isAttributeName reports whether s is a CloudEvents 1.0 attribute name:
// ASCII letters and digits (lower-case in the spec; keys here ignore case).
func isAttributeName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}
