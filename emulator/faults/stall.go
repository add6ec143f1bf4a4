package faults

import (
	"errors"
	"fmt"
	"time"
)

func init() { register("stall", func() Action { return &Stall{} }) }

// Stall sends the first bytes of the body (afterBytes, or afterPercent of
// the Content-Length), flushes them, then sends nothing for Duration (real
// time, at most MaxWait) before going on. The stall ends early, and the
// response with it, when the client goes away.
type Stall struct {
	cutPoint
	Duration Duration `json:"duration"`
}

func (*Stall) Kind() string          { return "stall" }
func (*Stall) targets() []string     { return downloadTargets }
func (s *Stall) fire(*firing) effect { return s }

func (s *Stall) Validate() error {
	if s.Duration <= 0 {
		return fieldErr("duration", "required: how long to stall, such as \"30s\"")
	}
	if err := checkWait("duration", s.Duration); err != nil {
		return err
	}
	return s.cutPoint.validate()
}

func (s *Stall) body(c *Call, bw *bodyWriter) {
	bw.cut = &s.cutPoint
	bw.onCut = func(bw *bodyWriter) error {
		_ = bw.rc.Flush()
		start := time.Now()
		err := c.sleep(time.Duration(s.Duration))
		waited := time.Since(start).Round(time.Millisecond)
		switch {
		case errors.Is(err, errClosed):
			c.note("stalled after %s for %v of %v: the emulator is closing", bw.of(), waited, time.Duration(s.Duration))
			return nil
		case err != nil:
			c.note("stalled after %s; the client went away after %v", bw.of(), waited)
			return &cutError{fmt.Sprintf("acsemu fault %s: client gone during a stall", c.rule.ID)}
		}
		c.note("stalled for %v after %s", time.Duration(s.Duration), bw.of())
		return nil
	}
}
