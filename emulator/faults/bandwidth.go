package faults

import (
	"fmt"
	"time"
)

func init() { register("bandwidth", func() Action { return &Bandwidth{} }) }

// Bandwidth limits the body to BytesPerSecond, in real time: the header goes
// at once, then the body in steps of 1/100 s (at most 64 KiB each), each
// sent no sooner than its share of the limit allows.
type Bandwidth struct {
	BytesPerSecond int64 `json:"bytesPerSecond"`
}

// MinBandwidth is the lowest limit accepted, so that one step never waits long.
const MinBandwidth = 100

func (*Bandwidth) Kind() string      { return "bandwidth" }
func (*Bandwidth) targets() []string { return downloadTargets }

func (b *Bandwidth) Validate() error {
	if b.BytesPerSecond < MinBandwidth || b.BytesPerSecond > 1<<40 {
		return fieldErr("bytesPerSecond", "%d: use %d to 2^40", b.BytesPerSecond, MinBandwidth)
	}
	return nil
}

func (b *Bandwidth) fire(*firing) effect { return b }

func (b *Bandwidth) body(c *Call, bw *bodyWriter) {
	bw.rate = float64(b.BytesPerSecond)
	bw.onFinish = func(bw *bodyWriter) {
		if bw.t0.IsZero() {
			c.note("no body to limit")
			return
		}
		took := time.Since(bw.t0)
		rate := ""
		if took > 0 {
			rate = fmt.Sprintf(" (%.0f bytes/s)", float64(bw.sent)/took.Seconds())
		}
		c.note("sent %s in %v at a limit of %d bytes/s%s", bw.of(), took.Round(time.Millisecond), b.BytesPerSecond, rate)
	}
}
