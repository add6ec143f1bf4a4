// Package wire writes errors the way the real service does.
//
// Handlers return an *Error; one function, Write, turns it into bytes in the
// shape the real endpoint uses (Call Automation and the preview download API
// answer {"error":{"code","message"}}, the recording storage answers a
// problem-details document, the control plane answers {"error":{"code","message"}}).
// The emulator's own explanation of why a request failed never replaces the real
// body: it travels in the ExplanationHeader response header, the journal and the log.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ExplanationHeader carries the emulator's human explanation of an error.
const ExplanationHeader = "X-Acsemu-Explanation"

// maxExplanation bounds the explanation header; net/http clients refuse huge headers.
const maxExplanation = 4096

// Shape names an error body format.
type Shape int

const (
	// ShapeACS is {"error":{"code","message"}} as Call Automation and /recording/ answer.
	ShapeACS Shape = iota
	// ShapeStorage is the problem-details body of the recording storage (/v1/objects/).
	ShapeStorage
	// ShapeControl is the control plane's {"error":{"code","message"}}.
	ShapeControl
)

// Error is an error with an HTTP status and a service error code.
type Error struct {
	Status  int
	Code    string
	Message string
	// Target optionally names the offending field (ACS error shape).
	Target string
	// Explanation is the emulator's own account of the failure; it is sent in
	// ExplanationHeader, never in the body.
	Explanation string
	// Header holds extra response headers (for example Content-Range on a 416).
	Header http.Header
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
	if e.Explanation != "" {
		s += " (" + e.Explanation + ")"
	}
	return s
}

// Errorf builds an *Error.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Common errors.
var (
	ErrNotFound         = &Error{Status: http.StatusNotFound, Code: "NotFound", Message: "The requested resource was not found."}
	ErrMethodNotAllowed = &Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: "The HTTP method is not supported for this resource."}
)

// As returns err as an *Error, wrapping anything else as a 500.
func As(err error) *Error {
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	return &Error{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "An internal error occurred.", Explanation: err.Error()}
}

type codeMessage struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

// problem is the storage service's problem-details body.
type problem struct {
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Instance string `json:"instance"`
	Message  string `json:"message"`
	TraceID  string `json:"traceId"`
}

// Write writes err in the given shape. traceID identifies the request (the
// storage shape embeds it, as the real service does).
func Write(w http.ResponseWriter, shape Shape, err error, traceID string) {
	e := As(err)
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	if e.Explanation != "" {
		h.Set(ExplanationHeader, HeaderSafe(e.Explanation))
	}
	var body any
	switch {
	case shape == ShapeStorage && e.Status == http.StatusNotFound:
		// The real storage answers an unknown document with an empty 404 (recorded).
		h.Del("Content-Type")
		h.Set("Content-Length", "0")
		w.WriteHeader(e.Status)
		return
	case shape == ShapeStorage:
		h.Set("Content-Type", "application/problem+json; charset=utf-8")
		title := http.StatusText(e.Status)
		body = problem{
			Title:    title,
			Status:   e.Status,
			Instance: "/microsoft/ic3/ams///trace-id/00-" + traceID,
			Message:  title,
			TraceID:  "00-" + traceID,
		}
	default:
		h.Set("Content-Type", "application/json; charset=utf-8")
		body = struct {
			Error codeMessage `json:"error"`
		}{codeMessage{Code: e.Code, Message: e.Message, Target: e.Target}}
	}
	h.Del("Content-Length")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// HeaderSafe makes s fit in one bounded HTTP header value: control characters
// (the explanation quotes strings-to-sign, which hold newlines) are escaped.
func HeaderSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7e:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		if b.Len() > maxExplanation {
			return b.String()[:maxExplanation] + "..."
		}
	}
	return b.String()
}

// CheckAPIVersion answers a request whose ?api-version= is missing or not one
// of supported the way Azure does (400 MissingApiVersionParameter or
// UnsupportedApiVersion); explanation says what the emulator supports.
func CheckAPIVersion(r *http.Request, supported []string, explanation string) *Error {
	v, present := r.URL.Query()["api-version"]
	switch {
	case !present || len(v) == 0 || v[0] == "":
		return &Error{Status: http.StatusBadRequest, Code: "MissingApiVersionParameter",
			Message: "The api-version query parameter (?api-version=) is required for all requests."}
	case !slices.Contains(supported, v[0]):
		return &Error{Status: http.StatusBadRequest, Code: "UnsupportedApiVersion",
			Message:     fmt.Sprintf("The HTTP resource that matches the request URI '%s' does not support the API version '%s'.", r.URL.Path, v[0]),
			Explanation: explanation}
	}
	return nil
}

// WriteJSON writes v as a JSON success answer with status; indent makes it
// readable (the control plane, read with curl) where the real service's
// compact form does not matter.
func WriteJSON(w http.ResponseWriter, status int, v any, indent bool) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if indent {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(v)
}
