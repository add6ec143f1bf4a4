package faults

import (
	"fmt"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func init() { register("delay", func() Action { return &Delay{} }) }

// Delay holds a delivery attempt for Duration plus up to Jitter (drawn from
// the rule's seeded source), in real time, then sends it. The wait counts
// against the attempt's timeout: a delay longer than it is a timeout.
type Delay struct {
	Duration Duration `json:"duration,omitempty"`
	Jitter   Duration `json:"jitter,omitempty"`
}

func (*Delay) Kind() string      { return "delay" }
func (*Delay) targets() []string { return deliveryTargets }

func (d *Delay) Validate() error {
	l := Latency(*d)
	return l.Validate()
}

func (d *Delay) fire(f *firing) effect {
	l := Latency(*d)
	return l.fire(f)
}

func (e latencyEffect) deliver(c *Call, _ *http.Request) eventgrid.HookResult {
	start := time.Now()
	if err := c.sleep(e.d); err != nil {
		c.note("held the attempt %v of %v, then gave up: %v", time.Since(start).Round(time.Millisecond), e.d, err)
		return eventgrid.HookResult{Err: fmt.Errorf("acsemu fault %s: delivery delayed past its end: %w", c.rule.ID, err)}
	}
	c.note("held the attempt %v before sending it", e.d)
	return eventgrid.HookResult{}
}
