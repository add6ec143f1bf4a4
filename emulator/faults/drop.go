package faults

import (
	"net/http"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func init() { register("drop", func() Action { return &Drop{} }) }

// Drop loses a delivery: nothing is sent, and Event Grid counts the attempt
// as delivered (journaled as Skipped), so the events never arrive.
type Drop struct{}

func (*Drop) Kind() string          { return "drop" }
func (*Drop) targets() []string     { return deliveryTargets }
func (*Drop) Validate() error       { return nil }
func (d *Drop) fire(*firing) effect { return d }

func (*Drop) deliver(c *Call, req *http.Request) eventgrid.HookResult {
	c.note("dropped the batch %s: nothing sent", req.Header.Get("aeg-output-event-id"))
	return eventgrid.HookResult{Skip: true}
}
