// Package journal records every request the emulator answers, so a test can
// assert what a client did on the wire ("the client asked for bytes=1048576-
// after the reset") instead of guessing from its logs.
//
// The journal is a bounded ring: when it is full the oldest entries go first,
// and Dropped says how many. Queries take a Filter whose zero value matches
// everything, WireMock-style.
package journal

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultCapacity is how many entries a journal keeps unless told otherwise:
// an entry holds the request headers, about 1 KB, so the default costs about 20 MB (18 MB measured with SDK-like headers).
const DefaultCapacity = 20_000

// DefaultMaxBytes bounds the bytes a journal holds unless told otherwise, so
// that entries with huge headers cannot grow it past a few tens of MB
// whatever the entry count (see Size for what is counted).
const DefaultMaxBytes = 32 << 20

// DefaultMaxHeaderBytes bounds the header bytes stored per entry: an SDK
// request carries about 1 KB, a browser's a few; what is beyond is left out
// and counted in the entry's HeadersDropped / HeaderBytesDropped.
const DefaultMaxHeaderBytes = 16 << 10

// Planes.
const (
	PlaneData    = "data"
	PlaneControl = "control"
)

// Targets name what a data-plane request was for.
const (
	TargetMedia    = "media"
	TargetMetadata = "metadata"
	TargetDelete   = "delete"
	TargetCalling  = "calling"
	TargetUnknown  = "unknown"
	TargetControl  = "control"
)

// Auth is the signature verdict of a data-plane request.
type Auth struct {
	OK          bool   `json:"ok"`
	Variant     string `json:"variant,omitempty"`
	Failure     string `json:"failure,omitempty"`
	Explanation string `json:"explanation,omitempty"`
}

// Entry is one answered request.
type Entry struct {
	ID     int64       `json:"id"`
	Time   time.Time   `json:"time"`
	Plane  string      `json:"plane"`
	Target string      `json:"target"`
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  string      `json:"query,omitempty"`
	Header http.Header `json:"header,omitempty"`
	// HeadersDropped and HeaderBytesDropped say what the journal left out of
	// Header to keep the entry within its header bound (0 when nothing was).
	HeadersDropped     int           `json:"headersDropped,omitempty"`
	HeaderBytesDropped int64         `json:"headerBytesDropped,omitempty"`
	RemoteAddr         string        `json:"remoteAddr,omitempty"`
	DocumentID         string        `json:"documentId,omitempty"`
	RangeAsked         string        `json:"rangeAsked,omitempty"`
	RangeServed        string        `json:"rangeServed,omitempty"`
	RangeNote          string        `json:"rangeNote,omitempty"`
	Status             int           `json:"status"`
	BytesSent          int64         `json:"bytesSent"`
	Auth               *Auth         `json:"auth,omitempty"`
	Fault              string        `json:"fault,omitempty"`
	Error              string        `json:"error,omitempty"`
	Duration           time.Duration `json:"durationNs"`
}

// Filter selects entries; empty fields match everything.
type Filter struct {
	Plane      string
	Target     string
	Method     string
	PathPrefix string
	DocumentID string
	Status     int
	// RangePrefix matches entries whose asked Range starts with it ("bytes=1048576-").
	RangePrefix string
	// HasRange: "yes" only entries that asked a Range, "no" only those that did not.
	HasRange string
	// AuthOK: "true" or "false" selects by signature verdict.
	AuthOK string
	Fault  string
	// AfterID keeps entries with an ID greater than it (for polling).
	AfterID int64
	// Limit caps how many entries Query returns (newest kept); 0 means all.
	// The control plane allows at most MaxPage and pages when it is 0 (see List).
	Limit int
}

// Values is f as query parameters, the form the control plane reads
// (GET /_emulator/requests?documentId=...&rangePrefix=...); empty fields are left out.
func (f Filter) Values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("plane", f.Plane)
	set("target", f.Target)
	set("method", f.Method)
	set("pathPrefix", f.PathPrefix)
	set("documentId", f.DocumentID)
	set("rangePrefix", f.RangePrefix)
	set("hasRange", f.HasRange)
	set("authOk", f.AuthOK)
	set("fault", f.Fault)
	if f.Status != 0 {
		q.Set("status", strconv.Itoa(f.Status))
	}
	if f.AfterID != 0 {
		q.Set("afterId", strconv.FormatInt(f.AfterID, 10))
	}
	if f.Limit != 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return q
}

// String shows the filter's set fields, for messages: {documentId=... rangePrefix=bytes=1000-}.
func (f Filter) String() string {
	q := f.Values()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + q.Get(k)
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// Match reports whether e passes f.
func (f Filter) Match(e *Entry) bool {
	switch {
	case f.Plane != "" && e.Plane != f.Plane,
		f.Target != "" && e.Target != f.Target,
		f.Method != "" && !strings.EqualFold(e.Method, f.Method),
		f.PathPrefix != "" && !strings.HasPrefix(e.Path, f.PathPrefix),
		f.DocumentID != "" && e.DocumentID != f.DocumentID,
		f.Status != 0 && e.Status != f.Status,
		f.RangePrefix != "" && !strings.HasPrefix(e.RangeAsked, f.RangePrefix),
		f.HasRange == "yes" && e.RangeAsked == "",
		f.HasRange == "no" && e.RangeAsked != "",
		f.Fault != "" && !strings.Contains(e.Fault, f.Fault),
		f.AfterID != 0 && e.ID <= f.AfterID:
		return false
	}
	if f.AuthOK != "" {
		ok := e.Auth != nil && e.Auth.OK
		if (f.AuthOK == "true") != ok {
			return false
		}
	}
	return true
}
