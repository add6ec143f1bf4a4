package faults

import "fmt"

func init() { register("truncate", func() Action { return &Truncate{} }) }

// Truncate sends the header with the full Content-Length and the first bytes
// of the body (afterBytes, or afterPercent of the Content-Length), then
// closes the connection cleanly (FIN, or TLS close_notify). The client sees
// the body end early: io.ErrUnexpectedEOF in Go.
type Truncate struct {
	cutPoint
}

func (*Truncate) Kind() string          { return "truncate" }
func (*Truncate) targets() []string     { return downloadTargets }
func (t *Truncate) Validate() error     { return t.cutPoint.validate() }
func (t *Truncate) fire(*firing) effect { return t }

func (t *Truncate) body(c *Call, bw *bodyWriter) {
	bw.cut = &t.cutPoint
	bw.onCut = func(bw *bodyWriter) error {
		conn, err := bw.hijack()
		if err != nil {
			c.note("could not take the connection (%v); the body ends after %s and net/http closes it", err, bw.of())
		} else {
			_ = conn.Close()
			c.note("closed the connection after %s", bw.of())
		}
		return &cutError{fmt.Sprintf("acsemu fault %s: body truncated after %d bytes", c.rule.ID, bw.sent)}
	}
}
