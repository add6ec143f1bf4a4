package faults

import "time"

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

// firedLog is a bounded ring; the caller holds the injector's lock.
type firedLog struct {
	cap   int
	ring  []Fired
	start int
	seq   int64
}

func (l *firedLog) add(f Fired) {
	l.seq++
	f.Seq = l.seq
	if len(l.ring) < l.cap {
		l.ring = append(l.ring, f)
		return
	}
	l.ring[l.start] = f
	l.start = (l.start + 1) % l.cap
}

// list returns the entries with Seq > after, oldest first.
func (l *firedLog) list(after int64) []Fired {
	out := []Fired{}
	for i := range l.ring {
		if f := l.ring[(l.start+i)%len(l.ring)]; f.Seq > after {
			out = append(out, f)
		}
	}
	return out
}

func (l *firedLog) reset() { l.ring, l.start = nil, 0 }

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
