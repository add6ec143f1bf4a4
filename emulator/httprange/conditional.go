package httprange

import (
	"net/http"
	"strings"
	"time"
)

// preconditions evaluates If-Match and If-None-Match in the order of RFC 9110
// §13.2.2 and returns the status that ends the request (412 or 304), or 0.
// The date-based If-Unmodified-Since and If-Modified-Since are not evaluated:
// recording clients resume by ETag, and a date is only second-precise.
func preconditions(r *http.Request, obj Object) (status int, note string) {
	if vs := r.Header.Values("If-Match"); len(vs) > 0 {
		list := strings.Join(vs, ",")
		if !anyETag(list, func(tag string) bool { return strongMatch(tag, obj.ETag) }) {
			return http.StatusPreconditionFailed, "If-Match " + list + " does not match ETag " + obj.ETag
		}
	}
	if vs := r.Header.Values("If-None-Match"); len(vs) > 0 {
		list := strings.Join(vs, ",")
		if anyETag(list, func(tag string) bool { return weakMatch(tag, obj.ETag) }) {
			return http.StatusNotModified, "If-None-Match " + list + " matches ETag " + obj.ETag
		}
	}
	return 0, ""
}

// ifRange reports whether If-Range lets Range be honoured (RFC 9110 §13.1.5),
// and why not. No If-Range lets it.
func ifRange(r *http.Request, obj Object) (ok bool, why string) {
	v := strings.Trim(r.Header.Get("If-Range"), " \t")
	switch {
	case v == "":
		return true, ""
	case strings.HasPrefix(v, "W/"):
		return false, "If-Range " + v + " is a weak entity-tag, which never matches strongly"
	case strings.HasPrefix(v, `"`):
		if strongMatch(v, obj.ETag) {
			return true, ""
		}
		return false, "If-Range " + v + " does not match ETag " + obj.ETag
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return false, "If-Range " + v + " is neither an entity-tag nor an HTTP-date"
	}
	// Only the exact Last-Modified the client was sent (to the second) is a
	// validator it can hold; any other date proves nothing about these bytes.
	if obj.LastModified.IsZero() || !t.Equal(obj.LastModified.Truncate(time.Second)) {
		return false, "If-Range " + v + " is not the Last-Modified date"
	}
	return true, ""
}

// anyETag reports whether match holds for an entity-tag of a list ("*" matches
// anything: the representation exists). A malformed list matches nothing.
func anyETag(list string, match func(tag string) bool) bool {
	if strings.Trim(list, " \t") == "*" {
		return true
	}
	for rest := list; ; {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			return false
		}
		tag, after, ok := cutETag(rest)
		if !ok {
			return false
		}
		if match(tag) {
			return true
		}
		rest = after
	}
}

// cutETag splits the entity-tag (`"x"` or `W/"x"`) at the start of s from the rest.
// Commas may appear inside the quotes, so the list cannot be split on commas.
func cutETag(s string) (tag, rest string, ok bool) {
	start := 0
	if strings.HasPrefix(s, "W/") {
		start = 2
	}
	if len(s) <= start || s[start] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[start+1:], '"')
	if end < 0 {
		return "", "", false
	}
	end += start + 2
	return s[:end], s[end:], true
}

// strongMatch is the strong comparison of RFC 9110 §8.8.3.2: neither tag weak.
func strongMatch(a, b string) bool {
	return a != "" && a == b && !strings.HasPrefix(a, "W/")
}

// weakMatch is the weak comparison: the opaque tags are equal.
func weakMatch(a, b string) bool {
	a, b = strings.TrimPrefix(a, "W/"), strings.TrimPrefix(b, "W/")
	return a != "" && a == b
}
