package eventgrid

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

// Control-plane limits. The routes themselves (POST /_emulator/subscriptions,
// GET /_emulator/deliveries, ...) are in the emulator's one route table
// (emulator/controlroutes.go), which calls the methods below.
const (
	MaxSpecBody      = 1 << 20
	DefaultDrainWait = 5 * time.Second
	MaxDrainWait     = 10 * time.Minute
)

// UpdateNamed replaces the settings of the subscription named in the path:
// an empty spec.Name takes name, another name is refused.
func (e *Engine) UpdateNamed(ctx context.Context, name string, spec SubscriptionSpec) (Subscription, error) {
	if spec.Name == "" {
		spec.Name = name
	}
	if !strings.EqualFold(spec.Name, name) {
		return Subscription{}, invalid("name", "the body names %q but the path names %q", spec.Name, name)
	}
	return e.UpdateSubscription(ctx, spec)
}

// DrainWithin waits up to wait (0: DefaultDrainWait; at most MaxDrainWait)
// until the subscription's queue is empty.
func (e *Engine) DrainWithin(ctx context.Context, name string, wait time.Duration) (DrainResult, error) {
	if wait == 0 {
		wait = DefaultDrainWait
	}
	if wait < 0 || wait > MaxDrainWait {
		return DrainResult{}, wire.Errorf(http.StatusBadRequest, "InvalidArgument",
			"timeout: must be a Go duration between 0 and %v, such as 5s (got %v)", MaxDrainWait, wait)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, wait, fmt.Errorf("waited %v", wait))
	defer cancel()
	if err := e.Drain(ctx, name); err != nil {
		return DrainResult{}, err
	}
	return DrainResult{Subscription: name}, nil
}

// PublishBody publishes a body of POST /_emulator/events (Event Grid or
// CloudEvents JSON, told apart by contentType and "specversion") and answers
// the events' ids.
func (e *Engine) PublishBody(contentType string, body []byte) (PublishResult, error) {
	if len(body) > MaxPublishBody {
		return PublishResult{}, wire.Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge",
			"the request body exceeds %d bytes; publish fewer events per request (each may be up to 1 MB)", MaxPublishBody)
	}
	evs, err := parsePublished(contentType, body)
	if err != nil {
		return PublishResult{}, err
	}
	ids, err := e.publish(evs)
	return PublishResult{IDs: ids}, err
}
