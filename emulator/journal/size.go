package journal

import (
	"net/http"
	"slices"
	"unsafe"
)

// Per-value costs of Go's representation, counted by Size so that the byte
// bound is the heap the journal holds, not only the text it shows.
const (
	stringHeader = int64(unsafe.Sizeof(""))
	sliceHeader  = int64(unsafe.Sizeof([]string(nil)))
	// mapSlotCost approximates a map entry's share of its table beyond the
	// key and value themselves (control word, load-factor slack).
	mapSlotCost = 16
	mapBase     = 48
)

// Size is what e costs in memory, as the journal's byte bound counts it: the
// struct, its strings' bytes and its header map. The benchmark
// BenchmarkJournalBytes compares it with the heap measured.
func Size(e *Entry) int64 {
	n := int64(unsafe.Sizeof(*e))
	for _, s := range []string{e.Plane, e.Target, e.Method, e.Path, e.Query, e.RemoteAddr,
		e.DocumentID, e.RangeAsked, e.RangeServed, e.RangeNote, e.Fault, e.Error, e.RawAuthorization} {
		n += int64(len(s))
	}
	if e.Auth != nil {
		n += int64(unsafe.Sizeof(*e.Auth)) + int64(len(e.Auth.Variant)+len(e.Auth.Failure)+len(e.Auth.Explanation))
	}
	return n + headerSize(e.Header)
}

func headerSize(h http.Header) int64 {
	if h == nil {
		return 0
	}
	n := int64(mapBase)
	for k, vs := range h {
		n += stringHeader + int64(len(k)) + sliceHeader + mapSlotCost
		for _, v := range vs {
			n += stringHeader + int64(len(v))
		}
	}
	return n
}

// headerCost is what one header value counts against the per-entry bound:
// its name and value as sent, plus the ": " and CRLF of the wire form.
func headerCost(k, v string) int { return len(k) + len(v) + 4 }

// capHeader keeps h's values while their wire size stays within limit, in
// name order so the choice is deterministic, and reports what it left out.
// Within the bound h is returned as is.
func capHeader(h http.Header, limit int) (http.Header, int, int64) {
	total := 0
	for k, vs := range h {
		for _, v := range vs {
			total += headerCost(k, v)
		}
	}
	if total <= limit {
		return h, 0, 0
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	kept, used, dropped, droppedBytes := http.Header{}, 0, 0, int64(0)
	for _, k := range keys {
		for _, v := range h[k] {
			if c := headerCost(k, v); used+c <= limit {
				kept[k] = append(kept[k], v)
				used += c
			} else {
				dropped++
				droppedBytes += int64(c)
			}
		}
	}
	return kept, dropped, droppedBytes
}
