// Package filter evaluates Azure Event Grid event subscription filters the way
// the real service does, so that the emulator delivers exactly the events a
// subscription created against Azure would receive.
//
// A Spec is the "filter" object of an event subscription (ARM JSON field
// names). Validate rejects what Azure rejects at subscription time, with a
// ValidationError naming the offending field; Match decides whether one event
// reaches the subscription. Match never panics and never needs Validate to
// have run: a filter it cannot evaluate (unknown operator, unusable values)
// simply does not match, so a bad subscription drops events instead of
// delivering ones Azure would not.
//
// Events are the decoded JSON object (map[string]any) of a single event in the
// delivery schema. Numbers may be float64 (plain encoding/json) or json.Number
// (Decoder.UseNumber); both give the same results. Go integer and float types
// are accepted too, for events built in code.
//
// Semantics, from the Event Grid "event filtering" documentation:
//
//   - includedEventTypes: empty means all types; otherwise the event's
//     eventType (CloudEvents: type) must equal one entry, ignoring case. The
//     legacy entry "All" also means all types.
//   - subjectBeginsWith / subjectEndsWith: compared with the subject, ignoring
//     case unless isSubjectCaseSensitive is set. An event without a subject
//     fails a non-empty subject filter.
//   - advancedFilters: every filter must match (AND); within one filter any
//     value may match (OR). The Not* operators match when none of the values
//     matches. String comparisons always ignore case.
//   - A missing or null key fails every operator except IsNullOrUndefined and
//     NumberNotIn, StringNotIn (documented) and NumberNotInRange (not
//     documented; treated like NumberNotIn, its closest relative).
//   - A key value of the wrong type for the operator (a string for a Number*
//     operator, a number for a String* operator, ...) is ignored, as the docs'
//     pseudo code says: a positive operator does not match it and a Not*
//     operator is not failed by it.
//   - Arrays are only looked into when enableAdvancedFilteringOnArrays is set:
//     a positive operator then matches if any element matches and a Not*
//     operator matches if no element does. Without the flag an array is just a
//     value of the wrong type. Keys never descend into arrays, and elements
//     that are objects or arrays are ignored ("Event Grid doesn't support
//     filtering on an array of objects").
//   - Keys are dotted paths (data.recordingStorageInfo.documentId) compared
//     without regard to case, as the docs spell them both ways (Data.Key1,
//     data.key1). An exact-case property wins over a case-folded one.
//   - CloudEvents context attributes (including extension attributes) have a
//     canonical string form, so String* operators on a top-level CloudEvents
//     attribute whose JSON value is a number or boolean compare that form; the
//     docs' example filters the numeric extension attribute 5 with
//     StringBeginsWith "5".
package filter
