package filter

import "strings"

// Match reports whether event passes every part of the filter: event types,
// subject, then the advanced filters. event is one decoded event in schema;
// see the package doc for the accepted number representations. An unknown
// schema or a nil event never matches, so misconfiguration drops events
// rather than delivering ones Azure would not.
func (s Spec) Match(schema Schema, event map[string]any) bool {
	schema = normalize(schema)
	if (schema != EventGridSchema && schema != CloudEventSchema) || event == nil {
		return false
	}
	return s.matchEventType(schema, event) &&
		s.matchSubject(event) &&
		s.matchAdvanced(schema, event)
}

func (s Spec) matchEventType(schema Schema, event map[string]any) bool {
	if len(s.IncludedEventTypes) == 0 {
		return true
	}
	prop := "eventType"
	if schema == CloudEventSchema {
		prop = "type"
	}
	raw, _ := property(event, prop)
	eventType, ok := raw.(string)
	for _, t := range s.IncludedEventTypes {
		// "All" is the documented way to ask for every event type.
		if strings.EqualFold(t, "All") || (ok && strings.EqualFold(t, eventType)) {
			return true
		}
	}
	return false
}

func (s Spec) matchSubject(event map[string]any) bool {
	begins, ends := s.SubjectBeginsWith, s.SubjectEndsWith
	if begins == "" && ends == "" {
		return true
	}
	// CloudEvents make subject optional; an event without one cannot be
	// said to begin or end with anything.
	raw, _ := property(event, "subject")
	subject, ok := raw.(string)
	if !ok {
		return false
	}
	if !s.IsSubjectCaseSensitive {
		subject, begins, ends = fold(subject), fold(begins), fold(ends)
	}
	return strings.HasPrefix(subject, begins) && strings.HasSuffix(subject, ends)
}

func (s Spec) matchAdvanced(schema Schema, event map[string]any) bool {
	for _, a := range s.AdvancedFilters {
		if !matchAdvanced(a, schema, event, s.EnableAdvancedFilteringOnArrays) {
			return false
		}
	}
	return true
}

// match evaluates one advanced filter against the event.
func matchAdvanced(a Advanced, schema Schema, event map[string]any, arrays bool) bool {
	op, ok := operators[a.OperatorType]
	if !ok {
		return false
	}
	v, present := lookup(event, a.Key)
	// A JSON null is "null or undefined" to Event Grid, so it behaves like
	// a missing key for every operator, not just IsNullOrUndefined.
	present = present && v != nil
	if op.kind == kindNull {
		return present != op.passOnMissing
	}
	if !present {
		return op.passOnMissing
	}
	candidates := []any{v}
	if arrays {
		if elems, ok := list(v); ok {
			candidates = elems
		}
	}
	// Top-level CloudEvents attributes are strings in their canonical form
	// (they travel as HTTP headers in binary mode), so String* operators may
	// compare numeric and boolean attributes as text.
	coerce := schema == CloudEventSchema && !strings.Contains(a.Key, ".")
	c := compile(op, a)
	hit := false
	for _, e := range candidates {
		if c.test(e, coerce) {
			hit = true
			break
		}
	}
	// Positive: some value matches. Not*: no value matches.
	return hit != op.negated
}

// compiled is an advanced filter's values converted once per evaluation.
// Values of the wrong type are dropped here: they can never match, which is
// what Event Grid does with values it cannot compare.
type compiled struct {
	op      operator
	nums    []float64
	ranges  [][2]float64
	strs    []string // folded
	hasBool bool
	boolVal bool
}

func compile(op operator, a Advanced) compiled {
	c := compiled{op: op}
	switch op.kind {
	case kindNumberCompare:
		if f, ok := number(a.Value); ok {
			c.nums = append(c.nums, f)
		}
	case kindNumberSet:
		for _, v := range a.Values {
			if f, ok := number(v); ok {
				c.nums = append(c.nums, f)
			}
		}
	case kindNumberRange:
		for _, v := range a.Values {
			if r, ok := numberRange(v); ok {
				c.ranges = append(c.ranges, r)
			}
		}
	case kindBool:
		c.boolVal, c.hasBool = a.Value.(bool)
	case kindString:
		for _, v := range a.Values {
			if s, ok := v.(string); ok {
				c.strs = append(c.strs, fold(s))
			}
		}
	}
	return c
}

// numberRange reads a [min, max] pair; any other shape is unusable.
func numberRange(v any) ([2]float64, bool) {
	pair, ok := list(v)
	if !ok || len(pair) != 2 {
		return [2]float64{}, false
	}
	lo, ok1 := number(pair[0])
	hi, ok2 := number(pair[1])
	return [2]float64{lo, hi}, ok1 && ok2
}

// test reports whether one key value satisfies the positive form of the
// operator for any of the filter's values.
func (c compiled) test(e any, coerce bool) bool {
	switch c.op.kind {
	case kindNumberCompare, kindNumberSet:
		k, ok := number(e)
		if !ok {
			return false
		}
		for _, n := range c.nums {
			if c.op.cmp(k, n) {
				return true
			}
		}
	case kindNumberRange:
		k, ok := number(e)
		if !ok {
			return false
		}
		for _, r := range c.ranges {
			if r[0] <= k && k <= r[1] {
				return true
			}
		}
	case kindBool:
		b, ok := e.(bool)
		return ok && c.hasBool && b == c.boolVal
	case kindString:
		s, ok := e.(string)
		if !ok && coerce {
			s, ok = canonicalString(e)
		}
		if !ok {
			return false
		}
		s = fold(s)
		for _, v := range c.strs {
			if c.op.str(s, v) {
				return true
			}
		}
	}
	return false
}

// lookup follows a dotted key through nested objects. It never descends into
// arrays: Event Grid does not filter on arrays of objects.
func lookup(event map[string]any, key string) (any, bool) {
	var cur any = event
	for name := range strings.SplitSeq(key, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = property(obj, name); !ok {
			return nil, false
		}
	}
	return cur, true
}

// property finds a property by name, exact case first, then ignoring case
// (the docs write keys both as Data.Key1 and data.key1). Among several
// case-folded matches the smallest name wins, so the result does not depend
// on map iteration order.
func property(obj map[string]any, name string) (any, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	best, found := "", false
	for k := range obj {
		if strings.EqualFold(k, name) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return nil, false
	}
	return obj[best], true
}
