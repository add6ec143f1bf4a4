package faults

import (
	"io"
	"net/http"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func init() { register("duplicate", func() Action { return &Duplicate{} }) }

// Duplicate delivers a batch twice: the injector sends a copy first (its
// answer is read and ignored), then Event Grid sends the attempt as usual
// and judges it by its own answer.
type Duplicate struct{}

func (*Duplicate) Kind() string          { return "duplicate" }
func (*Duplicate) targets() []string     { return deliveryTargets }
func (*Duplicate) Validate() error       { return nil }
func (d *Duplicate) fire(*firing) effect { return d }

func (*Duplicate) deliver(c *Call, req *http.Request) eventgrid.HookResult {
	body, err := readBody(req)
	if err != nil {
		c.note("no copy sent: %v", err)
		return eventgrid.HookResult{}
	}
	cp := req.Clone(req.Context())
	setBody(cp, body)
	resp, err := c.inj.hc.Do(cp)
	if err != nil {
		c.note("the extra copy failed (%v); sending the attempt anyway", err)
		return eventgrid.HookResult{}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, eventgrid.MaxResponseBody))
	resp.Body.Close()
	c.note("sent an extra copy first (the webhook answered %d)", resp.StatusCode)
	return eventgrid.HookResult{}
}
