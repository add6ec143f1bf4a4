package api

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Planes of journal entries.
const (
	PlaneData    = "data"
	PlaneControl = "control"
)

// Targets name what a journaled request was for.
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
	// StringToSign is, for a signature mismatch, the string the emulator
	// expected the client to sign (documented variant).
	StringToSign string `json:"stringToSign,omitempty"`
}

// Entry is one answered request, as GET /_emulator/requests lists it.
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

	// RawAuthorization is the Authorization header as received; Header
	// holds it with the signature fingerprinted. It never leaves the
	// process (not in JSON), for in-process tests that need to replay it.
	RawAuthorization string `json:"-"`
}

// MaxRequestsPage is the most entries one GET /_emulator/requests answers:
// without limit it pages (oldest first, after afterId, with a Link header to
// the next page); limit may not exceed it.
const MaxRequestsPage = 1000

// RequestFilter selects journal entries; empty fields match everything.
// On the wire it is the query of GET /_emulator/requests (see Values).
type RequestFilter struct {
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
	// Limit caps how many entries a listing returns (newest kept); 0 means all.
	Limit int
}

// RequestFilterParams are the query parameters of the requests listing, in
// the order Values writes them (the server refuses any other).
var RequestFilterParams = []string{"plane", "target", "method", "pathPrefix", "documentId", "rangePrefix",
	"hasRange", "authOk", "fault", "status", "afterId", "limit"}

// Values is f as query parameters, the form the control plane reads
// (GET /_emulator/requests?documentId=...&rangePrefix=...); empty fields are left out.
func (f RequestFilter) Values() url.Values {
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
func (f RequestFilter) String() string {
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
