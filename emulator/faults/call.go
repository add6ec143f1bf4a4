package faults

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/httprange"
)

// Request is what the data plane knows about a request beyond the
// *http.Request: its journal target and document.
type Request struct {
	// Target is the journal target: media, metadata, delete, calling or unknown.
	Target     string
	DocumentID string
}

// Call is the fault state of one data-plane request, from Begin to Finish.
// The data plane calls, in order:
//
//	call := inj.Begin(r, faults.Request{...})   // after the signature check
//	defer func() { entry.Fault = call.Finish(w) }()
//	if call.Before(w) { return }                // latency, status
//	w2 := call.Download(w, &obj, &opts)         // before httprange.Serve
//
// Every method of a nil *Call does nothing, so a server without an
// injector needs no special case.
type Call struct {
	inj       *Injector
	r         *http.Request
	ctx       context.Context
	v         view
	rule      Rule   // the rule that fired; zero if none
	eff       effect // its plan for this request
	notes     []string
	violation string
	client    string
	key       string
	bw        *bodyWriter
	// retryGiven: the response's Retry-After has been recorded.
	retryGiven bool
}

// Phases of a data-plane effect.
type (
	// beforeEffect acts before anything is written; done means it answered.
	beforeEffect interface {
		before(c *Call, w http.ResponseWriter) (done bool)
	}
	// objectEffect changes the representation or the range handling.
	objectEffect interface {
		object(c *Call, obj *httprange.Object, opts *httprange.Options)
	}
	// bodyEffect acts on the body as it is written.
	bodyEffect interface {
		body(c *Call, bw *bodyWriter)
	}
)

// Begin checks the request against the Retry-After records and the rules,
// and fires the first rule that fires. Call it once the request is
// authenticated and classified. A nil Injector returns a nil *Call.
func (inj *Injector) Begin(r *http.Request, req Request) *Call {
	if inj == nil {
		return nil
	}
	c := &Call{inj: inj, r: r, ctx: r.Context(), v: view{target: req.Target, method: r.Method, path: r.URL.Path,
		document: req.DocumentID, header: r.Header}}
	c.client, c.key = retryKey(r.RemoteAddr, r.URL.Path)
	inj.mu.Lock()
	if v, ok := inj.retry.check(c.client, r.URL.Path, c.key, inj.clock.Now()); ok {
		c.violation = violationText(v)
	}
	inj.mu.Unlock()
	c.rule, c.eff = inj.pick(&c.v)
	return c
}

// Before applies the effects that come before the response (latency) or
// replace it (status). It reports whether the response has been written, in
// which case the handler must return.
func (c *Call) Before(w http.ResponseWriter) (done bool) {
	if c == nil {
		return false
	}
	if e, ok := c.eff.(beforeEffect); ok {
		return e.before(c, w)
	}
	return false
}

// Download applies the effects on a download: it may change obj (ETag,
// corrupted content) and opts (ignore Range, wrong Content-Range), and
// returns the writer to hand to httprange.Serve (w itself, or a writer that
// throttles, stalls, truncates or resets the body).
func (c *Call) Download(w http.ResponseWriter, obj *httprange.Object, opts *httprange.Options) http.ResponseWriter {
	if c == nil {
		return w
	}
	if e, ok := c.eff.(objectEffect); ok {
		e.object(c, obj, opts)
	}
	if e, ok := c.eff.(bodyEffect); ok {
		c.bw = newBodyWriter(c, w)
		e.body(c, c.bw)
		return c.bw
	}
	return w
}

// Finish records what happened: it remembers a Retry-After the response
// carried (so that an early return is flagged), logs the fired fault, and
// returns the text for the journal's Fault field ("" if nothing happened).
// w is the handler's writer (its header is read, nothing is written).
func (c *Call) Finish(w http.ResponseWriter) string {
	if c == nil {
		return ""
	}
	if c.bw != nil {
		c.bw.finish()
	}
	if !c.retryGiven {
		c.giveRetryAfter(w.Header())
	}
	if c.rule.Action != nil {
		if len(c.notes) == 0 {
			c.note("not applied: the request was answered before the fault's turn came")
		}
		c.inj.record(Fired{Time: c.inj.clock.Now(), Rule: c.rule.ID, Action: c.rule.Action.Kind(), Fault: strings.Join(c.notes, "; "),
			Target: c.v.target, Method: c.v.method, Path: c.v.path, DocumentID: c.v.document, RemoteAddr: c.r.RemoteAddr})
	}
	all := c.notes
	if c.violation != "" {
		all = append([]string{c.violation}, all...)
	}
	return strings.Join(all, "; ")
}

// giveRetryAfter remembers the Retry-After in h, if any. A fault that sends
// one calls it before the response leaves, so that a client quick enough to
// come back before Finish runs is still caught.
func (c *Call) giveRetryAfter(h http.Header) {
	c.retryGiven = true
	if ra := h.Get("Retry-After"); ra != "" {
		c.inj.mu.Lock()
		c.inj.retry.give(c.key, ra, c.rule.ID, c.inj.clock.Now())
		c.inj.mu.Unlock()
	}
}

// note adds "<rule> <action>: <detail>" to the record.
func (c *Call) note(format string, args ...any) {
	c.notes = append(c.notes, c.rule.ID+" "+c.rule.Action.Kind()+": "+fmt.Sprintf(format, args...))
}

// sleep waits d of real time unless the request ends or the injector closes.
func (c *Call) sleep(d time.Duration) error { return c.inj.sleep(c.ctx, d) }
