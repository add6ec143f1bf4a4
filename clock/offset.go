package clock

import (
	"sync"
	"time"
)

// Offset is a clock that runs at the pace of a base clock plus an offset that only
// grows: Advance jumps it forward and wakes every waiter that is due, while
// the base clock keeps ticking underneath. Over the wall clock it lets a
// running emulator record "two hours" in a moment without touching the clock
// that signatures are checked against. It is safe for concurrent use.
type Offset struct {
	base Clock

	mu      sync.Mutex
	offset  time.Duration
	waiters map[*offsetWaiter]struct{}
	closed  bool
}

type offsetWaiter struct {
	at     time.Time
	ch     chan time.Time
	cancel chan struct{} // closed to end the goroutine watching the base clock
}

// NewOffset returns a clock equal to base until advanced.
func NewOffset(base Clock) *Offset {
	return &Offset{base: base, waiters: map[*offsetWaiter]struct{}{}}
}

// Now is the base clock's now plus the offset.
func (c *Offset) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Now().Add(c.offset)
}

// Offset is how far the clock has been advanced past its base.
func (c *Offset) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// After returns a buffered channel that receives the clock's time once d has
// passed, through the base clock's ticking, Advance, or both. After Close it
// returns a channel that never fires.
func (c *Offset) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.base.Now().Add(c.offset)
	switch {
	case d <= 0:
		ch <- now
	case !c.closed:
		w := &offsetWaiter{at: now.Add(d), ch: ch}
		c.waiters[w] = struct{}{}
		c.armLocked(w, d)
	}
	return ch
}

// armLocked watches the base clock for the d that w still has to wait.
func (c *Offset) armLocked(w *offsetWaiter, d time.Duration) {
	w.cancel = make(chan struct{})
	cancel, baseCh := w.cancel, c.base.After(d)
	go func() {
		select {
		case <-baseCh:
			c.mu.Lock()
			defer c.mu.Unlock()
			if _, ok := c.waiters[w]; ok {
				c.fireLocked(w, c.base.Now().Add(c.offset))
			}
		case <-cancel:
		}
	}()
}

func (c *Offset) fireLocked(w *offsetWaiter, now time.Time) {
	delete(c.waiters, w)
	w.ch <- now
	close(w.cancel)
}

// Advance moves the clock forward by d (a non-positive d only wakes waiters
// that are due) and returns the new time. Waiters not yet due wait for what
// is left of their time.
func (c *Offset) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.offset += d
	}
	now := c.base.Now().Add(c.offset)
	for w := range c.waiters {
		if !w.at.After(now) {
			c.fireLocked(w, now)
		} else if d > 0 {
			close(w.cancel)
			c.armLocked(w, w.at.Sub(now))
		}
	}
	return now
}

// Close cancels every pending waiter (their channels never fire) and ends the
// goroutines that watch the base clock for them.
func (c *Offset) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for w := range c.waiters {
		delete(c.waiters, w)
		close(w.cancel)
	}
}
