package eventgrid

import (
	"errors"
	"io"
	"net/http"
)

// KindCallback is Attempt.Kind for a Call Automation callback: a POST that is
// not an Event Grid subscription's but goes through the same outbound
// machinery (SendOutbound, RecordAttempt), so that it has the same attempt
// record, shows in the same deliveries journal (GET /_emulator/deliveries)
// and delivery fault rules hit it. Attempts of subscriptions have no Kind.
const KindCallback = "callback"

// SendOutbound sends one attempt of an outbound POST, as a subscription's
// worker does: the DeliveryHook (the fault rules of target "delivery",
// matched on name as the subscription and on attempt) may answer it instead,
// otherwise the engine's HTTP client sends it. The answer is classified into
// an Outcome (Delivered, Skipped, BadRequest, Busy, TimedOut, ...), with the
// fault the hook applied if any; the response body is read up to
// MaxResponseBody and closed. Nothing is journaled: the caller knows the
// attempt's disposition and passes the Attempt to RecordAttempt.
func (e *Engine) SendOutbound(name string, attempt int, req *http.Request) (status int, outcome, fault string, err error) {
	var resp *http.Response
	if hook := e.opts.DeliveryHook; hook != nil {
		r := hook(name, attempt, req)
		fault = r.Fault
		switch {
		case r.Skip:
			return 0, OutcomeSkipped, fault, nil
		case r.Err != nil:
			err = r.Err
		case r.Response != nil:
			resp = r.Response
		}
	}
	if resp == nil && err == nil {
		if resp, err = e.hc.Do(req); err != nil {
			// The journal shows the outcome, not the operating system's
			// words (see transportReason); the log keeps them.
			e.log.Debug("eventgrid: delivery failed", "subscription", name, "err", err)
			return 0, errorOutcome(err), fault, errors.New(transportReason(err))
		}
	}
	if err != nil {
		return 0, errorOutcome(err), fault, err
	}
	if resp.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponseBody))
		resp.Body.Close()
	}
	return resp.StatusCode, statusOutcome(resp.StatusCode), fault, nil
}

// RecordAttempt journals an attempt made with SendOutbound in the deliveries
// journal, stamped with the next Seq (Attempts and AttemptsChanged see it),
// with the request it sent as a subscription's attempt keeps it
// (AttemptRequest: Authorization hidden, body cut at MaxRecordedBody). req
// may be nil when the request could not be built.
func (e *Engine) RecordAttempt(a Attempt, req *http.Request, body []byte) {
	var sent AttemptRequest
	if req != nil {
		sent = sentRequest(req, body, SubscriptionSpec{})
	}
	e.journal.add(a, sent)
}

// sentRequest is the record of the request an attempt sent, with
// Authorization and spec's secret delivery attributes hidden.
func sentRequest(req *http.Request, body []byte, spec SubscriptionSpec) AttemptRequest {
	return AttemptRequest{Method: req.Method, URL: req.URL.Redacted(), Header: redactedHeader(req.Header, spec),
		BodyBytes: len(body), Body: string(body[:min(len(body), MaxRecordedBody)])}
}
