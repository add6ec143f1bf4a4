// Package httprange serves recording media with RFC 9110 range requests, and
// says what it did so the journal can show it.
//
// Parse is a pure function from a Range header value and a representation size
// to an Outcome (no range, other unit, malformed, too many, unsatisfiable, single,
// multiple), the satisfiable ranges and a Note. Serve answers a GET or HEAD from
// an Object (an io.ReaderAt with a size and validators): 200, 206 (one range, or
// multipart/byteranges), 416 with `Content-Range: bytes */size`, If-Range,
// If-Match and If-None-Match, and returns a Decision with the range asked and
// served, the status, the bytes sent and the first write error.
//
// Decisions where the RFC leaves a choice, and what this package chose:
//   - A malformed header is ignored (200) by default, as RFC 9110 §14.2 says. The
//     real service answered the JS SDK 1.5.1 values (`bytes=undefined`, `bytes=5`,
//     `bytes=0`) with an HTML 400 page; Options.MalformedPolicy = Reject400
//     reproduces that.
//   - Numbers too big for int64 make the header malformed, whatever their role.
//   - More than MaxRanges (default 100) range-specs: the header is ignored, 200.
//   - More than two overlapping ranges are sorted and merged, so an answer never
//     repeats the representation many times over; fewer are served as asked.
//   - Any range of an empty representation is unsatisfiable (416 `bytes */0`):
//     RFC 9110 §14.1.2, since no first-pos is below the length 0.
//   - HEAD ignores Range and answers the 200 headers: RFC 9110 §14.2 defines range
//     handling for GET only.
//   - If-Range with an HTTP-date is honoured only when it equals Last-Modified to
//     the second; a weak entity-tag never matches (strong comparison).
//   - The multipart boundary is derived from the object and the ranges (or taken
//     from Options.Boundary), so the same request gives the same bytes.
package httprange
