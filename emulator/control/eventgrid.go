package control

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
)

// CreateSubscription creates an Event Grid subscription and runs its
// validation handshake; check the returned ProvisioningState (a failed
// handshake is not an error).
func (c *Client) CreateSubscription(ctx context.Context, spec api.SubscriptionSpec) (api.Subscription, error) {
	var out api.Subscription
	err := c.do(ctx, http.MethodPost, "subscriptions", nil, spec, &out)
	return out, err
}

// UpdateSubscription replaces a subscription's settings and validates it again.
func (c *Client) UpdateSubscription(ctx context.Context, spec api.SubscriptionSpec) (api.Subscription, error) {
	var out api.Subscription
	err := c.do(ctx, http.MethodPut, "subscriptions/"+url.PathEscape(spec.Name), nil, spec, &out)
	return out, err
}

// Subscription returns one subscription.
func (c *Client) Subscription(ctx context.Context, name string) (api.Subscription, error) {
	var out api.Subscription
	err := c.do(ctx, http.MethodGet, "subscriptions/"+url.PathEscape(name), nil, nil, &out)
	return out, err
}

// Subscriptions lists the subscriptions.
func (c *Client) Subscriptions(ctx context.Context) ([]api.Subscription, error) {
	var out []api.Subscription
	err := c.do(ctx, http.MethodGet, "subscriptions", nil, nil, &out)
	return out, err
}

// DeleteSubscription deletes a subscription and its queue.
func (c *Client) DeleteSubscription(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "subscriptions/"+url.PathEscape(name), nil, nil, nil)
}

// CompleteValidation does what a GET on the subscription's validationUrl
// does (code is its code parameter).
func (c *Client) CompleteValidation(ctx context.Context, name, code string) (api.Subscription, error) {
	var out api.Subscription
	err := c.do(ctx, http.MethodGet, "subscriptions/"+url.PathEscape(name)+"/validate", url.Values{"code": {code}}, nil, &out)
	return out, err
}

// PublishEvents publishes events (sent in the Event Grid schema) to every
// matching subscription and returns their ids.
func (c *Client) PublishEvents(ctx context.Context, events ...api.Event) ([]string, error) {
	var out api.PublishResult
	err := c.do(ctx, http.MethodPost, "events", nil, events, &out)
	return out.IDs, err
}

// PublishJSON publishes raw JSON: an Event Grid array or event, a CloudEvents
// structured event or a CloudEvents batch (elements with "specversion" are
// CloudEvents).
func (c *Client) PublishJSON(ctx context.Context, body []byte) ([]string, error) {
	var out api.PublishResult
	err := c.do(ctx, http.MethodPost, "events", nil, rawJSON(body), &out)
	return out.IDs, err
}

// Deliveries returns the delivery attempts that match f, oldest first.
func (c *Client) Deliveries(ctx context.Context, f api.AttemptFilter) ([]api.Attempt, error) {
	var out []api.Attempt
	err := c.do(ctx, http.MethodGet, "deliveries", attemptQuery(f), nil, &out)
	return out, err
}

// DeadLetters returns the dead letters of sub ("" means all).
func (c *Client) DeadLetters(ctx context.Context, sub string) ([]api.DeadLetter, error) {
	q := url.Values{}
	if sub != "" {
		q.Set("subscription", sub)
	}
	var out []api.DeadLetter
	err := c.do(ctx, http.MethodGet, "deadletters", q, nil, &out)
	return out, err
}

// Drain waits up to timeout (0 means the server's default, 5 s) until the
// subscription's queue is empty; a queue that does not drain in time gives
// an *APIError with status 408 saying what is left.
func (c *Client) Drain(ctx context.Context, sub string, timeout time.Duration) error {
	var q url.Values
	if timeout > 0 {
		q = url.Values{"timeout": {timeout.String()}}
	}
	return c.do(ctx, http.MethodPost, "subscriptions/"+url.PathEscape(sub)+"/drain", q, nil, nil)
}

// attemptQuery is f as the query of GET deliveries; empty fields are left out.
func attemptQuery(f api.AttemptFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"subscription": f.Subscription, "outcome": f.Outcome, "eventId": f.EventID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}
