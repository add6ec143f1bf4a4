package faults

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// deliveryEffect acts on an Event Grid delivery attempt.
type deliveryEffect interface {
	deliver(c *Call, req *http.Request) eventgrid.HookResult
}

// maxDeliveryBody bounds the batch a delivery action reads (Event Grid
// batches are at most 1 MiB per event and 5,000 events; larger are passed through).
const maxDeliveryBody = 64 << 20

// DeliveryHook returns the hook to set as eventgrid.Options.DeliveryHook: it
// matches each delivery attempt (target "delivery") against the rules and
// applies the delivery actions (status, timeout, drop, duplicate, delay,
// reorder). Fired faults go to the log of fired faults (Fired), with the
// subscription and the aeg-delivery-count. A nil Injector gives a nil hook.
func (inj *Injector) DeliveryHook() eventgrid.DeliveryHook {
	if inj == nil {
		return nil
	}
	return func(sub string, attempt int, req *http.Request) eventgrid.HookResult {
		c := &Call{inj: inj, r: req, ctx: req.Context(), v: view{target: TargetDelivery, method: req.Method,
			path: req.URL.Path, subscription: sub, header: req.Header}}
		c.rule, c.eff = inj.pick(&c.v)
		e, ok := c.eff.(deliveryEffect)
		if !ok {
			return eventgrid.HookResult{}
		}
		res := e.deliver(c, req)
		inj.record(Fired{Time: inj.clock.Now(), Rule: c.rule.ID, Action: c.rule.Action.Kind(), Fault: strings.Join(c.notes, "; "),
			Target: TargetDelivery, Method: req.Method, Path: req.URL.Path, Subscription: sub, Attempt: attempt,
			OutputEventID: req.Header.Get("aeg-output-event-id")})
		res.Fault = strings.Join(c.notes, "; ") // beside the attempt in the delivery journal
		return res
	}
}

// readBody takes req's body and puts an equal one back (with GetBody).
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxDeliveryBody+1))
	req.Body.Close()
	if err == nil && len(b) > maxDeliveryBody {
		err = fmt.Errorf("the batch is larger than %d bytes", maxDeliveryBody)
	}
	setBody(req, b)
	return b, err
}

// setBody replaces req's body with b.
func setBody(req *http.Request, b []byte) {
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.ContentLength = int64(len(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}
