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
	"sync"
	"time"

	"github.com/acsemu/acsemu/internal/ring"
)

// DefaultCapacity is how many entries a journal keeps unless told otherwise:
// an entry holds the request headers, about 1 KB, so the default costs about 20 MB (18 MB measured with SDK-like headers).
const DefaultCapacity = 20_000

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
	// StringToSign is, for a signature mismatch, the string the emulator
	// expected the client to sign (documented variant).
	StringToSign string `json:"stringToSign,omitempty"`
}

// Entry is one answered request.
type Entry struct {
	ID          int64         `json:"id"`
	Time        time.Time     `json:"time"`
	Plane       string        `json:"plane"`
	Target      string        `json:"target"`
	Method      string        `json:"method"`
	Path        string        `json:"path"`
	Query       string        `json:"query,omitempty"`
	Header      http.Header   `json:"header,omitempty"`
	RemoteAddr  string        `json:"remoteAddr,omitempty"`
	DocumentID  string        `json:"documentId,omitempty"`
	RangeAsked  string        `json:"rangeAsked,omitempty"`
	RangeServed string        `json:"rangeServed,omitempty"`
	RangeNote   string        `json:"rangeNote,omitempty"`
	Status      int           `json:"status"`
	BytesSent   int64         `json:"bytesSent"`
	Auth        *Auth         `json:"auth,omitempty"`
	Fault       string        `json:"fault,omitempty"`
	Error       string        `json:"error,omitempty"`
	Duration    time.Duration `json:"durationNs"`

	// RawAuthorization is the Authorization header as received; Header
	// holds it with the signature fingerprinted. It never leaves the
	// process (not in JSON), for in-process tests that need to replay it.
	RawAuthorization string `json:"-"`
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

// Journal is a bounded, concurrency-safe request log.
type Journal struct {
	mu     sync.Mutex
	ring   *ring.Ring[Entry]
	lastID int64
	// changed is closed and replaced at each Add or Reset (see Changed).
	changed chan struct{}
}

// New returns a journal keeping at most capacity entries (DefaultCapacity if <= 0).
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return &Journal{ring: ring.New[Entry](capacity)}
}

// Add stores e, assigns and returns its ID.
func (j *Journal) Add(e Entry) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lastID++
	e.ID = j.lastID
	j.ring.Add(e)
	j.notifyLocked()
	return e.ID
}

// Query returns copies of the matching entries, oldest first.
func (j *Journal) Query(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	for e := range j.ring.All() {
		if f.Match(e) {
			out = append(out, *e)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Count returns how many entries match f.
func (j *Journal) Count(f Filter) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for e := range j.ring.All() {
		if f.Match(e) {
			n++
		}
	}
	return n
}

// Dropped reports how many entries were evicted because the journal was full.
func (j *Journal) Dropped() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ring.Dropped()
}

// Reset empties the journal; IDs keep increasing so pollers never see reuse.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring.Reset()
	j.notifyLocked()
}
