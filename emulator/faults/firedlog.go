package faults

import (
	"time"

	"github.com/acsemu/acsemu/internal/ring"
)

// Fired is one fault that fired, as the log of fired faults keeps it. The
// same text is in the request's journal entry (Fault field); for deliveries,
// whose attempts the Event Grid journal keeps, this log is the record.
type Fired struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Rule   string    `json:"rule"`
	Action string    `json:"action"`
	// Fault is the journal text: "<rule> <action>: <what happened>".
	Fault      string `json:"fault"`
	Target     string `json:"target"`
	Method     string `json:"method,omitempty"`
	Path       string `json:"path,omitempty"`
	DocumentID string `json:"documentId,omitempty"`
	RemoteAddr string `json:"remoteAddr,omitempty"`
	// Subscription and Attempt (the aeg-delivery-count sent) identify a delivery.
	Subscription string `json:"subscription,omitempty"`
	Attempt      int    `json:"attempt,omitempty"`
	// OutputEventID is the delivery's aeg-output-event-id, shared by the
	// attempts of one batch.
	OutputEventID string `json:"outputEventId,omitempty"`
}

// firedLog is a bounded log; the caller holds the injector's lock.
type firedLog struct {
	ring *ring.Ring[Fired]
	seq  int64
}

func newFiredLog(capacity int) firedLog { return firedLog{ring: ring.New[Fired](capacity)} }

func (l *firedLog) add(f Fired) {
	l.seq++
	f.Seq = l.seq
	l.ring.Add(f)
}

// list returns the entries with Seq > after, oldest first.
func (l *firedLog) list(after int64) []Fired {
	out := []Fired{}
	for f := range l.ring.All() {
		if f.Seq > after {
			out = append(out, *f)
		}
	}
	return out
}

func (l *firedLog) reset() { l.ring.Reset() }

// Fired returns the fired faults with a sequence number above after (0: all
// kept), oldest first.
func (inj *Injector) Fired(after int64) []Fired {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	return inj.log.list(after)
}

func (inj *Injector) record(f Fired) {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	inj.log.add(f)
}
