// Package journal records every request the emulator answers, so a test can
// assert what a client did on the wire ("the client asked for bytes=1048576-
// after the reset") instead of guessing from its logs.
//
// The journal is a bounded ring: when it is full the oldest entries go first,
// and Dropped says how many. Queries take a Filter whose zero value matches
// everything, WireMock-style.
package journal

import (
	"strings"
	"sync"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/internal/ring"
)

// DefaultCapacity is how many entries a journal keeps unless told otherwise:
// an entry holds the request headers, about 1 KB, so the default costs about 20 MB (18 MB measured with SDK-like headers).
const DefaultCapacity = 20_000

// The journal's wire types live in package api; these names keep the
// journal's own vocabulary.
type (
	Auth   = api.Auth
	Entry  = api.Entry
	Filter = api.RequestFilter
)

// Planes.
const (
	PlaneData    = api.PlaneData
	PlaneControl = api.PlaneControl
)

// Targets name what a data-plane request was for.
const (
	TargetMedia    = api.TargetMedia
	TargetMetadata = api.TargetMetadata
	TargetDelete   = api.TargetDelete
	TargetCalling  = api.TargetCalling
	TargetUnknown  = api.TargetUnknown
	TargetControl  = api.TargetControl
)

// Match reports whether e passes f.
func Match(f Filter, e *Entry) bool {
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
		if Match(f, e) {
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
		if Match(f, e) {
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
