package faults

import (
	"errors"
	"net/http"
	"time"
)

func init() { register("latency", func() Action { return &Latency{} }) }

// Latency waits before the response header: Duration, plus up to Jitter
// more drawn from the rule's seeded source. The wait is real time, bounded
// by MaxWait, and ends early when the client goes away.
type Latency struct {
	Duration Duration `json:"duration,omitempty"`
	Jitter   Duration `json:"jitter,omitempty"`
}

func (*Latency) Kind() string      { return "latency" }
func (*Latency) targets() []string { return requestTargets }

func (l *Latency) Validate() error {
	if err := checkWait("duration", l.Duration); err != nil {
		return err
	}
	if err := checkWait("jitter", l.Jitter); err != nil {
		return err
	}
	switch {
	case l.Duration == 0 && l.Jitter == 0:
		return fieldErr("duration", "required: a wait such as \"500ms\" (or a jitter)")
	case time.Duration(l.Duration+l.Jitter) > MaxWait:
		return fieldErr("jitter", "duration + jitter must be at most %v", MaxWait)
	}
	return nil
}

type latencyEffect struct{ d time.Duration }

func (l *Latency) fire(f *firing) effect {
	d := time.Duration(l.Duration)
	if l.Jitter > 0 {
		d += time.Duration(f.rnd.Int64N(int64(l.Jitter) + 1))
	}
	return latencyEffect{d}
}

func (e latencyEffect) before(c *Call, _ http.ResponseWriter) bool {
	start := time.Now()
	err := c.sleep(e.d)
	switch {
	case errors.Is(err, errClosed):
		c.note("waited %v of %v before the header: the emulator is closing", time.Since(start).Round(time.Millisecond), e.d)
	case err != nil:
		c.note("the client went away after %v of %v before the header", time.Since(start).Round(time.Millisecond), e.d)
		return true
	default:
		c.note("waited %v before the header", e.d)
	}
	return false
}
