package eventgrid

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/acsemu/acsemu/internal/broadcast"
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
	mu     sync.Mutex
	ring   *ring.Ring[Attempt]
	recent *ring.Ring[AttemptRequest]
	seq    int64
	// changed is closed at the next add or reset (see AttemptsChanged).
	changed chan struct{}
	// live wakes live views (the engine's Changed), which also follow dead
	// letters and subscription changes.
	live *broadcast.Signal
}

// RecentRequests is how many of the latest attempts keep the request they
// sent (AttemptRequest), for a person to inspect; older attempts keep only
// their Attempt line, so the journal's memory stays what its capacity says.
const RecentRequests = 256

// MaxRecordedBody bounds the body an AttemptRequest keeps.
const MaxRecordedBody = 16 << 10

// AttemptRequest is the request an attempt sent to the webhook, with its
// Authorization and secret delivery attributes hidden.
type AttemptRequest struct {
	Seq    int64       `json:"seq"`
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header"`
	// Body is the first MaxRecordedBody bytes of the body; BodyBytes its full length.
	Body      string `json:"body"`
	BodyBytes int    `json:"bodyBytes"`
}

func newJournal(capacity int, live *broadcast.Signal) *journal {
	return &journal{ring: ring.New[Attempt](capacity), recent: ring.New[AttemptRequest](RecentRequests), live: live}
}

func (j *journal) add(a Attempt, sent AttemptRequest) {
	j.mu.Lock()
	j.seq++
	a.Seq, sent.Seq = j.seq, j.seq
	j.ring.Add(a)
	j.recent.Add(sent)
	j.notifyLocked()
	j.mu.Unlock()
	j.live.Notify()
}

func (j *journal) after(seq int64) []Attempt {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Attempt{}
	for a := range j.ring.All() {
		if a.Seq > seq {
			c := *a
			c.EventIDs = slices.Clone(a.EventIDs)
			out = append(out, c)
		}
	}
	return out
}

func (j *journal) request(seq int64) (AttemptRequest, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for r := range j.recent.All() {
		if r.Seq == seq {
			c := *r
			c.Header = r.Header.Clone()
			return c, true
		}
	}
	return AttemptRequest{}, false
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
	j.recent.Reset()
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

// AttemptsAfter returns the journaled attempts whose Seq is above seq, oldest
// first: a live view reads only what is new. Reset starts Seq again at 1.
func (e *Engine) AttemptsAfter(seq int64) []Attempt { return e.journal.after(seq) }

// AttemptRequest returns the request attempt seq sent, if it is among the
// RecentRequests latest attempts.
func (e *Engine) AttemptRequest(seq int64) (AttemptRequest, bool) { return e.journal.request(seq) }

// Changed returns a channel closed at the next attempt, dead letter,
// subscription change or Reset (see broadcast.Signal): take it, then query.
func (e *Engine) Changed() <-chan struct{} { return e.changed.Changed() }
