package faults

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func init() { register("timeout", func() Action { return &Timeout{} }) }

// Timeout makes a delivery attempt time out without sending it: after
// After (real time, 0 by default, cut short by the attempt's own timeout)
// the attempt fails with context.DeadlineExceeded, which Event Grid
// journals as TimedOut and retries.
type Timeout struct {
	After Duration `json:"after,omitempty"`
}

func (*Timeout) Kind() string          { return "timeout" }
func (*Timeout) targets() []string     { return deliveryTargets }
func (t *Timeout) Validate() error     { return checkWait("after", t.After) }
func (t *Timeout) fire(*firing) effect { return t }

func (t *Timeout) deliver(c *Call, _ *http.Request) eventgrid.HookResult {
	start := time.Now()
	_ = c.sleep(time.Duration(t.After))
	c.note("timed out after %v without sending", time.Since(start).Round(time.Millisecond))
	return eventgrid.HookResult{Err: fmt.Errorf("acsemu fault %s: delivery timed out: %w", c.rule.ID, context.DeadlineExceeded)}
}
