package journal

import (
	"cmp"
	"slices"
	"sync"
)

// Limits bound a journal. Zero fields take the defaults.
type Limits struct {
	// Entries is how many entries are kept (DefaultCapacity).
	Entries int
	// Bytes is how many bytes the kept entries may cost, as Size counts them
	// (DefaultMaxBytes). The oldest entries go first beyond it.
	Bytes int64
	// HeaderBytes is how many header bytes one entry keeps (DefaultMaxHeaderBytes).
	HeaderBytes int
}

func (l Limits) withDefaults() Limits {
	if l.Entries <= 0 {
		l.Entries = DefaultCapacity
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultMaxBytes
	}
	if l.HeaderBytes <= 0 {
		l.HeaderBytes = DefaultMaxHeaderBytes
	}
	return l
}

// Journal is a concurrency-safe request log bounded in entries and in bytes.
type Journal struct {
	mu      sync.Mutex
	limits  Limits
	entries []Entry // oldest first, from head on
	sizes   []int64 // Size of each entry, parallel to entries
	head    int     // entries[:head] are evicted slots awaiting compaction
	bytes   int64   // sum of sizes[head:]
	dropped int64
	lastID  int64
	// changed is closed and replaced at each Add or Reset (see Changed).
	changed chan struct{}
}

// New returns a journal keeping at most capacity entries (DefaultCapacity if
// <= 0) and the default byte bounds.
func New(capacity int) *Journal { return NewWithLimits(Limits{Entries: capacity}) }

// NewWithLimits returns a journal bounded by l.
func NewWithLimits(l Limits) *Journal { return &Journal{limits: l.withDefaults()} }

// Limits reports the journal's effective bounds.
func (j *Journal) Limits() Limits { return j.limits }

// Add stores e, assigns and returns its ID. Headers beyond the per-entry bound
// are left out (and counted in the entry); the oldest entries are evicted
// while the journal holds too many entries or bytes.
func (j *Journal) Add(e Entry) int64 {
	e.Header, e.HeadersDropped, e.HeaderBytesDropped = capHeader(e.Header, j.limits.HeaderBytes)
	size := Size(&e)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lastID++
	e.ID = j.lastID
	j.entries = append(j.entries, e)
	j.sizes = append(j.sizes, size)
	j.bytes += size
	// The newest entry always stays, even alone over the byte bound (its
	// headers are capped, so it is small).
	for j.len() > 1 && (j.len() > j.limits.Entries || j.bytes > j.limits.Bytes) {
		j.bytes -= j.sizes[j.head]
		j.entries[j.head] = Entry{} // let the headers go now
		j.head++
		j.dropped++
	}
	if j.head > 0 && j.head >= len(j.entries)/2 {
		j.entries = append(j.entries[:0:0], j.entries[j.head:]...)
		j.sizes = append(j.sizes[:0:0], j.sizes[j.head:]...)
		j.head = 0
	}
	j.notifyLocked()
	return e.ID
}

func (j *Journal) len() int { return len(j.entries) - j.head }

// live returns the kept entries, oldest first; j.mu is held.
func (j *Journal) live() []Entry { return j.entries[j.head:] }

// Query returns copies of the matching entries, oldest first. Entries are
// kept in ID order, so AfterID skips straight to the first newer one and
// Limit walks back from the newest: a waiter asking for what is new, or a
// page asking for the latest few, costs what it gets, not the journal's size.
func (j *Journal) Query(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	live := j.liveAfter(f.AfterID)
	out := []Entry{}
	if f.Limit <= 0 {
		for i := range live {
			if Match(f, &live[i]) {
				out = append(out, live[i])
			}
		}
		return out
	}
	for i := len(live) - 1; i >= 0 && len(out) < f.Limit; i-- {
		if Match(f, &live[i]) {
			out = append(out, live[i])
		}
	}
	slices.Reverse(out)
	return out
}

// ReadAfter calls fn once with the kept entries whose ID is above afterID,
// oldest first, while the journal is locked: a reader that folds entries
// into its own model copies only what it keeps, instead of every entry as
// Query does. fn must be quick, must not call the journal, and must not keep
// the slice (its slots are reused); a copied Entry shares its Header map,
// which nobody mutates.
func (j *Journal) ReadAfter(afterID int64, fn func([]Entry)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(j.liveAfter(afterID))
}

// liveAfter returns the kept entries whose ID is above id; j.mu is held.
func (j *Journal) liveAfter(id int64) []Entry {
	live := j.live()
	if id <= 0 {
		return live
	}
	i, _ := slices.BinarySearchFunc(live, id, func(e Entry, id int64) int { return cmp.Compare(e.ID, id) })
	if i < len(live) && live[i].ID == id {
		i++
	}
	return live[i:]
}

// Count returns how many entries match f.
func (j *Journal) Count(f Filter) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	live := j.liveAfter(f.AfterID)
	for i := range live {
		if Match(f, &live[i]) {
			n++
		}
	}
	return n
}

// Usage is what a journal holds now.
type Usage struct {
	Entries int
	Bytes   int64
	Dropped int64
}

// Usage reports the kept entries, their bytes and the evictions so far.
func (j *Journal) Usage() Usage {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Usage{Entries: j.len(), Bytes: j.bytes, Dropped: j.dropped}
}

// Dropped reports how many entries were evicted because the journal was full.
func (j *Journal) Dropped() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}

// Reset empties the journal; IDs keep increasing so pollers never see reuse.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.sizes, j.head, j.bytes, j.dropped = nil, nil, 0, 0, 0
	j.notifyLocked()
}
