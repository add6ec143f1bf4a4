package eventgrid

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// retrySchedule is Event Grid's delay before attempt n+1 after attempt n
// failed; past its end the delay is every12h.
var retrySchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 10 * time.Minute,
	30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour,
}

const every12h = 12 * time.Hour

// RetrySpread is the largest random extra added to a retry delay, as a
// fraction of it (Event Grid adds "a small randomization").
const RetrySpread = 0.1

// RetryDelay is the nominal delay before the next attempt after attempt
// (0-based) failed with status (0 for a network error), before the random
// spread: the schedule's step, raised to the status's floor.
func RetryDelay(attempt, status int) time.Duration {
	d := every12h
	if attempt >= 0 && attempt < len(retrySchedule) {
		d = retrySchedule[attempt]
	}
	return max(d, retryFloor(status))
}

// retryFloor is the minimum delay after a failed status.
func retryFloor(status int) time.Duration {
	switch status {
	case http.StatusRequestTimeout:
		return 2 * time.Minute
	case http.StatusServiceUnavailable:
		return 30 * time.Second
	case http.StatusUnauthorized, http.StatusNotFound:
		return 5 * time.Minute
	}
	return 10 * time.Second
}

// spread adds up to RetrySpread of d, drawn from r in [0,1).
func spread(d time.Duration, u float64) time.Duration {
	return d + time.Duration(float64(d)*RetrySpread*u)
}

// scaled is a nominal delay as waited on the clock.
func scaled(d time.Duration, scale float64) time.Duration {
	return time.Duration(float64(d) * scale)
}

// isSuccess is Event Grid's notion of a delivered batch.
func isSuccess(status int) bool { return status >= 200 && status <= 204 }

// isFinal is a status Event Grid does not retry on a webhook.
func isFinal(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge:
		return true
	}
	return false
}

// Delivery outcomes (lastDeliveryOutcome and Attempt.Outcome).
const (
	OutcomeDelivered       = "Delivered"
	OutcomeSkipped         = "Skipped"
	OutcomeBadRequest      = "BadRequest"
	OutcomeUnauthorized    = "Unauthorized"
	OutcomeForbidden       = "Forbidden"
	OutcomeNotFound        = "NotFound"
	OutcomeTimedOut        = "TimedOut"
	OutcomeBusy            = "Busy"
	OutcomePayloadTooLarge = "PayloadTooLarge"
	OutcomeSocketError     = "SocketError"
	OutcomeResolutionError = "ResolutionError"
	OutcomeGenericError    = "GenericError"
)

// statusOutcome names an HTTP answer as Event Grid's lastDeliveryOutcome does.
func statusOutcome(status int) string {
	switch {
	case isSuccess(status):
		return OutcomeDelivered
	case status == http.StatusBadRequest:
		return OutcomeBadRequest
	case status == http.StatusUnauthorized:
		return OutcomeUnauthorized
	case status == http.StatusForbidden:
		return OutcomeForbidden
	case status == http.StatusNotFound:
		return OutcomeNotFound
	case status == http.StatusRequestTimeout, status == http.StatusGatewayTimeout:
		return OutcomeTimedOut
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
		return OutcomeBusy
	case status == http.StatusRequestEntityTooLarge:
		return OutcomePayloadTooLarge
	}
	return OutcomeGenericError
}

// errorOutcome names a transport error.
func errorOutcome(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimedOut
	case errors.As(err, &dns):
		return OutcomeResolutionError
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return OutcomeTimedOut
	}
	return OutcomeSocketError
}
