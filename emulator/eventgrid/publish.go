package eventgrid

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
	"github.com/acsemu/acsemu/emulator/wire"
)

// Publish routes events to every Succeeded subscription whose filter matches
// and queues them for delivery; it does not wait for delivery (use Drain).
// It enqueues all events or none: if a target subscription's queue has no
// room, it fails with a 503 QueueFull *wire.Error naming it. An event whose
// rendering exceeds 1 MB fails with 413; Data must be valid JSON.
func (e *Engine) Publish(ctx context.Context, events ...Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	evs := make([]*event, 0, len(events))
	for i, in := range events {
		if in.EventType == "" {
			return badEvent("event %d: EventType is required", i)
		}
		if in.Data != nil && !json.Valid(in.Data) {
			return badEvent("event %d (%s): Data is not valid JSON", i, in.ID)
		}
		evs = append(evs, &event{Event: in})
	}
	_, err := e.publish(evs)
	return err
}

// throttleRetryAfter is the Retry-After of a publish refused because every
// queue together is full: deliveries free room within seconds when webhooks answer.
const throttleRetryAfter = "10"

// publish fills in defaults, renders, routes and enqueues; it returns the
// event ids.
func (e *Engine) publish(evs []*event) ([]string, error) {
	e.publishMu.Lock()
	defer e.publishMu.Unlock()
	if e.ctx.Err() != nil {
		return nil, ErrClosed
	}
	now := e.clock.Now()
	ids := make([]string, len(evs))
	for i, ev := range evs {
		if ev.ID == "" {
			ev.ID = e.newGUID()
		}
		if ev.Topic == "" {
			ev.Topic = e.opts.Topic
		}
		if ev.EventTime.IsZero() {
			ev.EventTime = now
		}
		if ev.metadataVersion == "" {
			ev.metadataVersion = "1"
		}
		ev.publishTime = now
		if err := ev.render(); err != nil {
			return nil, badEvent("event %d (%s): %v", i, ev.ID, err)
		}
		if ev.size > MaxEventSize {
			return nil, tooLarge(i, int(ev.size))
		}
		ids[i] = ev.ID
	}

	type target struct {
		s      *subscription
		schema Schema
		evs    []*event
		bytes  int64
	}
	var targets []target
	// Decoded once per schema for every subscription's filter, then dropped.
	objs := map[Schema][]map[string]any{}
	object := func(schema Schema, i int) map[string]any {
		if objs[schema] == nil {
			objs[schema] = make([]map[string]any, len(evs))
		}
		if objs[schema][i] == nil {
			objs[schema][i] = evs[i].object(schema)
		}
		return objs[schema][i]
	}
	for _, s := range e.sortedSubs() {
		if !s.succeeded(now) {
			continue
		}
		s.mu.Lock()
		spec := s.spec
		s.mu.Unlock()
		t := target{s: s, schema: spec.EventDeliverySchema}
		open := filterIsEmpty(spec.Filter)
		for i, ev := range evs {
			if open || filter.Spec(spec.Filter).Match(t.schema, object(t.schema, i)) {
				t.evs = append(t.evs, ev)
				t.bytes += ev.mem + queueSlotCost
			}
		}
		if len(t.evs) > 0 {
			targets = append(targets, t)
		}
	}

	var full []string
	// The total counts each event once, however many queues hold it, plus
	// a slot per queue.
	var adding int64
	counted := map[*event]bool{}
	for _, t := range targets {
		adding += int64(len(t.evs)) * queueSlotCost
		for _, ev := range t.evs {
			if !counted[ev] {
				counted[ev] = true
				adding += ev.mem
			}
		}
	}
	if held := e.queued.Load(); held+adding > e.opts.MaxTotalQueuedBytes {
		return nil, &wire.Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Header: http.Header{"Retry-After": {throttleRetryAfter}},
			Message: fmt.Sprintf("nothing was published: the delivery queues of all subscriptions hold %d bytes and %d more would exceed their total limit of %d bytes; retry later, drain or delete subscriptions, or raise the limit",
				held, adding, e.opts.MaxTotalQueuedBytes)}
	}
	for _, t := range targets {
		t.s.mu.Lock()
		n, b := t.s.pendingLocked(), t.s.bytes
		t.s.mu.Unlock()
		if n+len(t.evs) > e.opts.MaxQueuedEvents || b+t.bytes > e.opts.MaxQueuedBytes {
			full = append(full, fmt.Sprintf("%q holds %d events (%d bytes), limits %d events and %d bytes",
				t.s.name, n, b, e.opts.MaxQueuedEvents, e.opts.MaxQueuedBytes))
		}
	}
	if len(full) > 0 {
		return nil, wire.Errorf(http.StatusServiceUnavailable, "QueueFull",
			"nothing was published: the delivery queue of event subscription %s has no room for %d more events; drain it, delete it or raise the limits",
			strings.Join(full, "; "), len(evs))
	}
	for _, t := range targets {
		t.s.mu.Lock()
		if !t.s.deleted {
			for _, ev := range t.evs {
				t.s.fresh.push(ev)
			}
			t.s.bytes += t.bytes
			for _, ev := range t.evs {
				e.charge(ev)
			}
		}
		t.s.mu.Unlock()
		t.s.poke()
	}
	return ids, nil
}
