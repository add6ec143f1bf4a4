package eventgrid

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

// Drain waits until the subscription's queue is empty: every event published
// to it so far delivered, dead-lettered or dropped. It returns nil at once
// for an empty queue. When ctx ends first it returns a 408 DrainTimeout
// *wire.Error saying what is still queued and why (retries pending, next
// attempt, subscription not Succeeded). With a Manual clock, pending retries
// only progress when the clock is advanced.
func (e *Engine) Drain(ctx context.Context, sub string) error {
	for {
		s, err := e.lookup(sub)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.refreshLocked(e.clock.Now())
		n, idle, deleted := s.pendingLocked(), s.idle, s.deleted
		s.mu.Unlock()
		if deleted {
			continue // lookup reports the deletion
		}
		if n == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-e.ctx.Done():
			return ErrClosed
		case <-ctx.Done():
			return s.drainTimeout(ctx)
		}
	}
}

// drainTimeout explains what is left in the queue.
func (s *subscription) drainTimeout(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := fmt.Sprintf("event subscription %q still has %d undelivered events (%d waiting, %d in flight, %d awaiting a retry)",
		s.name, s.pendingLocked(), s.fresh.len(), s.inflight, s.retryEvents)
	if len(s.retry) > 0 {
		b := s.retry[0]
		msg += fmt.Sprintf("; the next retry (attempt %d) is due at %s nominal, %s on the clock; %s",
			b.attempt, b.nominal.UTC().Format(time.RFC3339), b.due.UTC().Format(time.RFC3339Nano), lastOutcome(b))
	}
	if s.state != StateSucceeded {
		msg += fmt.Sprintf("; the subscription is %s, so nothing is delivered", s.state)
	}
	return &wire.Error{Status: http.StatusRequestTimeout, Code: "DrainTimeout",
		Message: msg + " (" + context.Cause(ctx).Error() + ")"}
}

func lastOutcome(b *batch) string {
	if b.lastStatus != 0 {
		return fmt.Sprintf("the last attempt answered %d %s", b.lastStatus, b.lastOutcome)
	}
	return "the last attempt failed with " + b.lastOutcome
}
