package eventgrid

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/internal/ring"
)

// Dispositions: what became of a batch after an attempt.
const (
	DispositionDelivered    = "Delivered"
	DispositionRetrying     = "Retrying"
	DispositionDeadLettered = "DeadLettered"
	DispositionDropped      = "Dropped"
)

// Attempt is one delivery attempt of one batch.
type Attempt struct {
	// Seq orders attempts (1, 2, ...) across the engine.
	Seq          int64    `json:"seq"`
	Subscription string   `json:"subscription"`
	EventIDs     []string `json:"eventIds"`
	// Attempt is 0-based, the aeg-delivery-count sent.
	Attempt int `json:"attempt"`
	// Status is the webhook's HTTP status, 0 if there was none.
	Status int `json:"status,omitempty"`
	// Error is the transport error, if any.
	Error string `json:"error,omitempty"`
	// Fault is the fault injected into this attempt, if any.
	Fault string `json:"fault,omitempty"`
	// Outcome is Delivered, Skipped (by a DeliveryHook) or a
	// lastDeliveryOutcome (BadRequest, Busy, TimedOut, SocketError, ...).
	Outcome string `json:"outcome"`
	// Disposition is what became of the batch: Delivered, Retrying,
	// DeadLettered or Dropped.
	Disposition string `json:"disposition"`
	// Duration is the wall-clock time the request took.
	Duration time.Duration `json:"duration"`
	// NominalTime is when the attempt happened in nominal (unscaled) time;
	// NextAttemptNominal when the next one is scheduled (zero if none).
	NominalTime        time.Time `json:"nominalTime"`
	NextAttemptNominal time.Time `json:"nextAttemptNominal,omitzero"`
}

// AttemptFilter selects attempts; zero fields match everything.
type AttemptFilter struct {
	Subscription string `json:"subscription,omitempty"`
	// Outcome matches Outcome or Disposition, ignoring case.
	Outcome string `json:"outcome,omitempty"`
	// EventID matches attempts that carried this event.
	EventID string `json:"eventId,omitempty"`
}

func (f AttemptFilter) match(a *Attempt) bool {
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
}

func newJournal(capacity int) *journal { return &journal{ring: ring.New[Attempt](capacity)} }

func (j *journal) add(a Attempt) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	a.Seq = j.seq
	j.ring.Add(a)
}

func (j *journal) query(f AttemptFilter) []Attempt {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Attempt{}
	for a := range j.ring.All() {
		if f.match(a) {
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
}

// Attempts returns the journaled attempts that match f, oldest first.
func (e *Engine) Attempts(f AttemptFilter) []Attempt { return e.journal.query(f) }
