// Package clock is the emulator's injectable notion of time.
//
// Everything in acsemu that reads the time or waits takes a Clock, so tests can
// pin it (Manual) and advance it instantly, while the binary uses the wall clock
// (Real). A Manual clock never sleeps: waiters fire when Advance moves time past
// their deadline.
//
// It is one package for the emulator and the reference client alike, and it is
// public (not internal/) on purpose: emulator.Options.Clock,
// signer.Transport.Clock, download.Options.Clock and jobs.Options.Clock are
// public fields, and a test outside this module must be able to name their type
// and construct a Manual or Offset clock to put in them. It depends on nothing
// but the standard library, so importing it pulls in no emulator code.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and wakes waiters.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the clock's time once d has passed.
	// The channel is buffered: a waiter that gave up does not block the clock.
	After(d time.Duration) <-chan time.Time
}

// Advancing is a clock that can be moved forward: Manual (all of time stands
// still until advanced) and Offset (a base clock plus an offset that only
// grows). Advance returns the new time.
type Advancing interface {
	Clock
	Advance(d time.Duration) time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// After is time.After.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Manual is a clock that only moves when told to. It is safe for concurrent use.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewManual returns a Manual clock set to start.
func NewManual(start time.Time) *Manual { return &Manual{now: start} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// After returns a channel that fires when Advance or Set moves the clock to or past now+d.
func (m *Manual) After(d time.Duration) <-chan time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := m.now.Add(d)
	if d <= 0 {
		ch <- m.now
		return ch
	}
	m.waiters = append(m.waiters, waiter{at: at, ch: ch})
	return ch
}

// Advance moves the clock forward by d and fires every waiter that is due.
func (m *Manual) Advance(d time.Duration) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d > 0 {
		m.now = m.now.Add(d)
	}
	m.fireLocked()
	return m.now
}

// Set moves the clock to t if t is later than the current time.
func (m *Manual) Set(t time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.After(m.now) {
		m.now = t
	}
	m.fireLocked()
	return m.now
}

// Waiters reports how many After channels have not fired yet; tests poll it to
// know that a goroutine is parked on the clock before advancing it.
func (m *Manual) Waiters() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.waiters)
}

func (m *Manual) fireLocked() {
	sort.SliceStable(m.waiters, func(i, j int) bool { return m.waiters[i].at.Before(m.waiters[j].at) })
	kept := m.waiters[:0]
	for _, w := range m.waiters {
		if !w.at.After(m.now) {
			w.ch <- m.now
			continue
		}
		kept = append(kept, w)
	}
	m.waiters = kept
}
