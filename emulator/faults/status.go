package faults

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func init() { register("status", func() Action { return &Status{} }) }

// BadRangePage is the HTML 400 page (Status.Page "bad-range") standing for
// the one the real service sent for Range: bytes=undefined. Its exact bytes
// are not on record, only that it was HTML with status 400.
const BadRangePage = `<!DOCTYPE html>
<html><head><title>400 Bad Request</title></head>
<body><h1>Bad Request</h1><p>The Range header of the request is invalid.</p></body></html>
`

// Status answers in the service's place: a status code, optionally
// Retry-After, a body and headers. On a delivery it is the webhook's answer.
type Status struct {
	// Status is the code, 200 to 599 (400 by default with Page).
	Status int `json:"status,omitempty"`
	// RetryAfter is sent as Retry-After: a JSON number of seconds, or a
	// string sent as is (seconds or an HTTP-date).
	RetryAfter RetryAfter `json:"retryAfter,omitempty"`
	// RetryAfterAsDate sends the number of seconds of RetryAfter as the
	// HTTP-date that far ahead of the emulator's clock.
	RetryAfterAsDate bool   `json:"retryAfterAsDate,omitempty"`
	Body             string `json:"body,omitempty"`
	ContentType      string `json:"contentType,omitempty"`
	// Headers are extra response headers.
	Headers map[string]string `json:"headers,omitempty"`
	// Page "bad-range" sends BadRangePage as text/html.
	Page string `json:"page,omitempty"`
}

// RetryAfter is a Retry-After value; in JSON a number of seconds or a string.
type RetryAfter string

// MarshalJSON writes whole seconds as a number.
func (r RetryAfter) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseUint(string(r), 10, 31); err == nil {
		return []byte(r), nil
	}
	return json.Marshal(string(r))
}

// UnmarshalJSON reads a number of seconds or a string.
func (r *RetryAfter) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*r = RetryAfter(s)
		return nil
	}
	n, err := strconv.ParseUint(string(b), 10, 31)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[RetryAfter]()}
	}
	*r = RetryAfter(strconv.FormatUint(n, 10))
	return nil
}

func (*Status) Kind() string      { return "status" }
func (*Status) targets() []string { return anyTargets }

func (s *Status) Validate() error {
	code := s.code()
	if s.RetryAfter != "" {
		secs, err := strconv.ParseUint(string(s.RetryAfter), 10, 31)
		switch {
		case err != nil && s.RetryAfterAsDate:
			return fieldErr("retryAfter", "%q: with retryAfterAsDate, give a whole number of seconds", s.RetryAfter)
		case err != nil:
			if _, derr := http.ParseTime(string(s.RetryAfter)); derr != nil {
				return fieldErr("retryAfter", "%q: use a whole number of seconds or an HTTP-date", s.RetryAfter)
			}
		case secs > 365*24*3600:
			return fieldErr("retryAfter", "at most a year")
		}
	}
	switch {
	case s.Status == 0 && s.Page == "":
		return fieldErr("status", "required: a code from 200 to 599")
	case code < 200 || code > 599:
		return fieldErr("status", "%d: use 200 to 599", s.Status)
	case s.Page != "" && s.Page != "bad-range":
		return fieldErr("page", "%q: the only page is bad-range", s.Page)
	case s.Page != "" && (s.Body != "" || s.ContentType != ""):
		return fieldErr("page", "give page or body and contentType, not both")
	case s.RetryAfterAsDate && s.RetryAfter == "":
		return fieldErr("retryAfterAsDate", "needs retryAfter, the number of seconds")
	case len(s.Body) > 1<<20:
		return fieldErr("body", "larger than 1 MiB")
	case strings.ContainsAny(s.ContentType, "\r\n"):
		return fieldErr("contentType", "must be one line")
	}
	for k, v := range s.Headers {
		switch {
		case !validToken(k) || strings.ContainsAny(v, "\r\n\x00"):
			return fieldErr("headers."+k, "not a valid header line")
		case strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Transfer-Encoding"):
			return fieldErr("headers."+k, "is set by the emulator")
		}
	}
	return nil
}

func (s *Status) code() int {
	if s.Status == 0 && s.Page != "" {
		return http.StatusBadRequest
	}
	return s.Status
}

// statusEffect is a Status with its Retry-After value worked out at firing.
type statusEffect struct {
	*Status
	retryAfter string
}

func (s *Status) fire(f *firing) effect {
	e := statusEffect{Status: s, retryAfter: string(s.RetryAfter)}
	if secs, err := strconv.ParseUint(e.retryAfter, 10, 31); err == nil && s.RetryAfterAsDate {
		e.retryAfter = f.now.Add(time.Duration(secs) * time.Second).UTC().Format(http.TimeFormat)
	}
	return e
}

// header fills h and returns the body to send.
func (e statusEffect) header(h http.Header) string {
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	body, ctype := e.Body, e.ContentType
	if e.Page == "bad-range" {
		body, ctype = BadRangePage, "text/html; charset=utf-8"
	}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	if e.retryAfter != "" {
		h.Set("Retry-After", e.retryAfter)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return body
}

func (e statusEffect) detail() string {
	d := "answered " + strconv.Itoa(e.code())
	if e.retryAfter != "" {
		d += " with Retry-After: " + e.retryAfter
	}
	return d
}

func (e statusEffect) before(c *Call, w http.ResponseWriter) bool {
	body := e.header(w.Header())
	c.giveRetryAfter(w.Header())
	w.WriteHeader(e.code())
	if c.r.Method != http.MethodHead {
		_, _ = io.WriteString(w, body)
	}
	c.note("%s", e.detail())
	return true
}

func (e statusEffect) deliver(c *Call, req *http.Request) eventgrid.HookResult {
	h := http.Header{}
	body := e.header(h)
	c.note("%s in the webhook's place", e.detail())
	return eventgrid.HookResult{Response: &http.Response{StatusCode: e.code(), Status: strconv.Itoa(e.code()) + " " + http.StatusText(e.code()),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}}
}
