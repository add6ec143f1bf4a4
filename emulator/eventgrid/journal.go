package eventgrid

import (
	"slices"
	"strings"
	"sync"

	"github.com/acsemu/acsemu/internal/ring"
)

// Dispositions: what became of a batch after an attempt.
const (
	DispositionDelivered    = "Delivered"
	DispositionRetrying     = "Retrying"
	DispositionDeadLettered = "DeadLettered"
	DispositionDropped      = "Dropped"
)

func matchAttempt(f AttemptFilter, a *Attempt) bool {
	if f.Subscription != "" && !strings.EqualFold(f.Subscription, a.Subscription) {
		return false
	}
	if f.Outcome != "" && !strings.EqualFold(f.Outcome, a.Outcome) && !strings.EqualFold(f.Outcome, a.Disposition) {
		return false
	}
	if f.EventID != "" && !slices.Contains(a.EventIDs, f.EventID) {
		return false
	}
	return true
}

// journal is a bounded log of attempts.
type journal struct {
	mu   sync.Mutex
	ring *ring.Ring[Attempt]
	seq  int64
	// changed is closed at the next add or reset (see AttemptsChanged).
	changed chan struct{}
}

func newJournal(capacity int) *journal { return &journal{ring: ring.New[Attempt](capacity)} }

func (j *journal) add(a Attempt) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	a.Seq = j.seq
	j.ring.Add(a)
	j.notifyLocked()
}

func (j *journal) query(f AttemptFilter) []Attempt {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Attempt{}
	for a := range j.ring.All() {
		if matchAttempt(f, a) {
			c := *a
			c.EventIDs = slices.Clone(a.EventIDs)
			out = append(out, c)
		}
	}
	return out
}

func (j *journal) reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring.Reset()
	j.seq = 0
	j.notifyLocked()
}

func (j *journal) notifyLocked() {
	if j.changed != nil {
		close(j.changed)
		j.changed = nil
	}
}

// AttemptsChanged returns a channel closed at the next attempt (or Reset):
// a long poll on the deliveries takes it before querying and waits on it,
// as on the request journal's Changed.
func (e *Engine) AttemptsChanged() <-chan struct{} {
	j := e.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.changed == nil {
		j.changed = make(chan struct{})
	}
	return j.changed
}

// Attempts returns the journaled attempts that match f, oldest first.
func (e *Engine) Attempts(f AttemptFilter) []Attempt { return e.journal.query(f) }
