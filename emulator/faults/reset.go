package faults

import (
	"fmt"
	"net"
	"time"
)

func init() { register("reset", func() Action { return &Reset{} }) }

// Reset sends the header and the first bytes of the body (afterBytes, or
// afterPercent of the Content-Length), then resets the connection with a
// real TCP RST: the bytes are flushed, the connection is taken from
// net/http, and once the client's kernel has acknowledged every byte (so
// that none is lost in flight) it is closed with SO_LINGER 0. The client
// reads exactly those bytes, then gets "connection reset by peer".
type Reset struct {
	cutPoint
}

// resetDrainWait bounds the wait for the client to acknowledge the bytes sent.
const resetDrainWait = 2 * time.Second

func (*Reset) Kind() string          { return "reset" }
func (*Reset) targets() []string     { return downloadTargets }
func (r *Reset) Validate() error     { return r.cutPoint.validate() }
func (r *Reset) fire(*firing) effect { return r }

func (r *Reset) body(c *Call, bw *bodyWriter) {
	bw.cut = &r.cutPoint
	bw.onCut = func(bw *bodyWriter) error {
		conn, err := bw.hijack()
		if err != nil {
			c.note("could not take the connection (%v); the body ends after %s and net/http closes it", err, bw.of())
			return &cutError{fmt.Sprintf("acsemu fault %s: body cut after %d bytes", c.rule.ID, bw.sent)}
		}
		tc := tcpConn(conn)
		if tc == nil {
			_ = conn.Close()
			c.note("not a TCP connection: closed it after %s", bw.of())
			return &cutError{fmt.Sprintf("acsemu fault %s: connection closed after %d body bytes", c.rule.ID, bw.sent)}
		}
		left := awaitAcked(c, tc)
		_ = tc.SetLinger(0)
		_ = tc.Close()
		if left > 0 {
			c.note("connection reset (TCP RST) after %s; %d bytes were not yet acknowledged by the client", bw.of(), left)
		} else {
			c.note("connection reset (TCP RST) after %s", bw.of())
		}
		return &cutError{fmt.Sprintf("acsemu fault %s: connection reset after %d body bytes", c.rule.ID, bw.sent)}
	}
}

// awaitAcked waits, up to resetDrainWait, until the peer has acknowledged
// everything sent on tc, and returns how many bytes it has not (0 where the
// platform cannot tell).
func awaitAcked(c *Call, tc *net.TCPConn) int {
	deadline := time.Now().Add(resetDrainWait)
	for {
		n, ok := unacked(tc)
		if !ok || n == 0 || time.Now().After(deadline) {
			return n
		}
		if c.sleep(time.Millisecond) != nil {
			return n
		}
	}
}
