package faults

import (
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/internal/ring"
)

// Fired is one fired fault (its wire form lives in package api).
type Fired = api.Fired

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
