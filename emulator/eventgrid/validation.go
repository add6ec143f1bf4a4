package eventgrid

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Handshake constants.
const (
	// ValidationEventType is the event type of the validation event.
	ValidationEventType = "Microsoft.EventGrid.SubscriptionValidationEvent"
	// WebHookRequestOrigin is the origin Event Grid announces in the
	// CloudEvents abuse-protection handshake.
	WebHookRequestOrigin = "eventgrid.azure.net"
	// WebHookRequestRate is the rate (requests per minute) it asks for.
	WebHookRequestRate = "120"
	// validationRetryDelay is the wait before a timed-out handshake is retried.
	validationRetryDelay = 5 * time.Second
)

// handshakeResult is the verdict of a handshake.
type handshakeResult struct {
	state, failure, detail string
	code, url              string
	deadline               time.Time
}

func failed(format string, args ...any) handshakeResult {
	return handshakeResult{state: StateFailed, failure: fmt.Sprintf(format, args...)}
}

// handshake validates spec's endpoint with code. It never returns an error:
// the result's state says how it went. It gives up when ctx or the engine
// ends.
func (e *Engine) handshake(ctx context.Context, spec SubscriptionSpec, code string) handshakeResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(e.ctx, cancel)
	defer stop()

	valURL := e.validationURL(spec.Name, code)
	endpoint := redactURL(spec.EndpointURL)
	var res handshakeResult
	for try := 0; ; try++ {
		var timedOut bool
		if spec.EventDeliverySchema == CloudEventSchema {
			res, timedOut = e.optionsHandshake(ctx, spec, valURL, endpoint)
		} else {
			res, timedOut = e.validationEvent(ctx, spec, code, valURL, endpoint)
		}
		if !timedOut || try == 1 {
			break
		}
		// Event Grid retries a timed-out handshake once, after 5 s.
		select {
		case <-ctx.Done():
			return failed("validation of %s was cancelled: %v", endpoint, context.Cause(ctx))
		case <-e.clock.After(scaled(validationRetryDelay, scaleOf(spec, e.opts.TimeScale))):
		}
	}
	if res.state == StateAwaitingManualAction {
		res.deadline = e.clock.Now().Add(ManualValidationWindow)
		res.detail += "; GET (CloudEvents: GET or POST) the validationUrl before " + res.deadline.UTC().Format(time.RFC3339) + " to complete it"
	}
	if res.state != StateFailed {
		res.code, res.url = code, valURL
	}
	return res
}

// validationEvent is the Event Grid schema handshake; timedOut asks for the
// one retry.
func (e *Engine) validationEvent(ctx context.Context, spec SubscriptionSpec, code, valURL, endpoint string) (handshakeResult, bool) {
	ev := []egWire{{
		ID: e.newGUID(), Topic: e.opts.Topic, Subject: "",
		Data:      mustJSON(map[string]string{"validationCode": code, "validationUrl": valURL}),
		EventType: ValidationEventType, EventTime: e.clock.Now().UTC().Format(eventTimeFormat),
		MetadataVersion: "1", DataVersion: "1",
	}}
	req, err := http.NewRequest(http.MethodPost, spec.EndpointURL, bytes.NewReader(mustJSON(ev)))
	if err != nil {
		return failed("validation handshake failed: cannot build the request to %s: %v", endpoint, err), false
	}
	h := req.Header
	h.Set("Content-Type", ContentTypeEventGrid)
	h.Set("aeg-event-type", "SubscriptionValidation")
	h.Set("aeg-subscription-name", strings.ToUpper(spec.Name))
	h.Set("aeg-delivery-count", "0")
	h.Set("aeg-data-version", "1")
	h.Set("aeg-metadata-version", "1")
	if err := e.authorize(req, spec); err != nil {
		return failed("validation handshake failed: cannot sign the request to %s: %v", endpoint, err), false
	}
	resp, body, err := e.roundTrip(ctx, req)
	if err != nil {
		return e.transportFailure(ctx, "POST", endpoint, err)
	}
	want := fmt.Sprintf(`200 OK with {"validationResponse":"%s"}`, code)
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusAccepted {
			hint = " (202 Accepted is not recognised as a validation response)"
		}
		return failed("validation handshake failed: %s answered the SubscriptionValidationEvent with %s%s; Event Grid needs %s, or 200 with no validationResponse and a GET on the validationUrl",
			endpoint, resp.Status, hint, want), false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) == nil {
		if raw, ok := obj["validationResponse"]; ok {
			var got string
			if json.Unmarshal(raw, &got) != nil {
				return failed("validation handshake failed: %s answered validationResponse %s, which is not a string; Event Grid needs %s", endpoint, truncate(string(raw), 100), want), false
			}
			if got != code {
				return failed("validation handshake failed: %s answered validationResponse %q but the validationCode sent was %q", endpoint, truncate(got, 100), code), false
			}
			return handshakeResult{state: StateSucceeded, detail: "validated synchronously (validationResponse)"}, false
		}
	}
	detail := fmt.Sprintf("%s answered 200 without a validationResponse", endpoint)
	for k := range obj {
		if strings.EqualFold(k, "validationResponse") {
			detail += fmt.Sprintf(" (it sent %q: the property name is case-sensitive)", k)
		}
	}
	return handshakeResult{state: StateAwaitingManualAction, detail: detail}, false
}

// optionsHandshake is the CloudEvents abuse-protection handshake.
func (e *Engine) optionsHandshake(ctx context.Context, spec SubscriptionSpec, valURL, endpoint string) (handshakeResult, bool) {
	req, err := http.NewRequest(http.MethodOptions, spec.EndpointURL, nil)
	if err != nil {
		return failed("validation handshake failed: cannot build the request to %s: %v", endpoint, err), false
	}
	req.Header.Set("WebHook-Request-Origin", WebHookRequestOrigin)
	req.Header.Set("WebHook-Request-Rate", WebHookRequestRate)
	if spec.WebHookRequestCallback {
		req.Header.Set("WebHook-Request-Callback", valURL)
	}
	if err := e.authorize(req, spec); err != nil {
		return failed("validation handshake failed: cannot sign the request to %s: %v", endpoint, err), false
	}
	resp, _, err := e.roundTrip(ctx, req)
	if err != nil {
		return e.transportFailure(ctx, "OPTIONS", endpoint, err)
	}
	allowed := strings.TrimSpace(resp.Header.Get("WebHook-Allowed-Origin"))
	granted := allowed == "*" || strings.EqualFold(allowed, WebHookRequestOrigin)
	want := `200 OK with "WebHook-Allowed-Origin: eventgrid.azure.net" (or "*")`
	switch {
	case resp.StatusCode == http.StatusOK && granted:
		return handshakeResult{state: StateSucceeded, detail: "validated by the CloudEvents abuse-protection handshake"}, false
	case allowed == "" && spec.WebHookRequestCallback && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusAccepted):
		return handshakeResult{state: StateAwaitingManualAction,
			detail: fmt.Sprintf("%s answered %s without WebHook-Allowed-Origin; waiting for it to call WebHook-Request-Callback", endpoint, resp.Status)}, false
	case resp.StatusCode == http.StatusMethodNotAllowed:
		return failed("validation handshake failed: %s answered the OPTIONS abuse-protection request with 405: it does not support the CloudEvents webhook handshake; Event Grid needs %s", endpoint, want), false
	case resp.StatusCode != http.StatusOK:
		return failed("validation handshake failed: %s answered the OPTIONS abuse-protection request with %s; Event Grid needs %s", endpoint, resp.Status, want), false
	case allowed == "":
		return failed("validation handshake failed: %s answered the OPTIONS abuse-protection request with 200 but no WebHook-Allowed-Origin header; Event Grid needs %s", endpoint, want), false
	default:
		return failed("validation handshake failed: %s answered WebHook-Allowed-Origin %q; Event Grid needs %s", endpoint, truncate(allowed, 100), want), false
	}
}

// transportFailure turns a request error into a result; a timeout asks for
// the retry.
func (e *Engine) transportFailure(ctx context.Context, method, endpoint string, err error) (handshakeResult, bool) {
	if ctx.Err() != nil {
		return failed("validation of %s was cancelled: %v", endpoint, context.Cause(ctx)), false
	}
	if errorOutcome(err) == OutcomeTimedOut {
		return failed("validation handshake failed: %s %s did not answer within %v (tried twice, 5 s apart)", method, endpoint, e.opts.DeliveryTimeout), true
	}
	e.log.Debug("eventgrid: validation handshake failed", "endpoint", endpoint, "err", err)
	return failed("validation handshake failed: %s %s: %s", method, endpoint, transportReason(err)), false
}

// roundTrip sends req with the delivery timeout and returns the response
// with at most MaxResponseBody bytes of its body (closed).
func (e *Engine) roundTrip(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.DeliveryTimeout)
	defer cancel()
	resp, err := e.hc.Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// redactURL drops the query (it often carries a secret) from messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the endpoint"
	}
	if u.RawQuery != "" {
		u.RawQuery = "..."
	}
	u.Fragment = ""
	return u.String()
}

func scaleOf(spec SubscriptionSpec, def float64) float64 {
	if spec.TimeScale > 0 {
		return spec.TimeScale
	}
	return def
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
