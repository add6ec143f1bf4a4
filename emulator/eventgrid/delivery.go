package eventgrid

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Content types of deliveries.
const (
	ContentTypeEventGrid       = "application/json; charset=utf-8"
	ContentTypeCloudEvent      = "application/cloudevents+json; charset=utf-8"
	ContentTypeCloudEventBatch = "application/cloudevents-batch+json; charset=utf-8"
)

// run is the subscription's worker: it sends due retries first, then new
// batches, and otherwise sleeps on the clock until the next retry is due or
// something is queued.
func (s *subscription) run() {
	defer s.e.wg.Done()
	defer close(s.done)
	var timerAt time.Time
	var timerCh <-chan time.Time
	for {
		if s.ctx.Err() != nil {
			return
		}
		now := s.e.clock.Now()
		s.mu.Lock()
		spec := s.spec
		b := s.nextBatchLocked(now, spec)
		var wait <-chan time.Time
		if b == nil && s.state == StateSucceeded && len(s.retry) > 0 {
			due := s.retry[0].due
			if timerCh == nil || !due.Equal(timerAt) {
				timerAt, timerCh = due, s.e.clock.After(due.Sub(now))
			}
			wait = timerCh
		}
		s.mu.Unlock()
		if b != nil {
			s.attempt(b, spec)
			continue
		}
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		case <-wait:
			timerCh = nil
		}
	}
}

// nextBatchLocked takes the next batch to send now, if any: a due retry, or
// a new batch from the head of the queue, filled up to both limits.
func (s *subscription) nextBatchLocked(now time.Time, spec SubscriptionSpec) *batch {
	s.refreshLocked(now)
	if s.state != StateSucceeded || s.deleted {
		return nil
	}
	if len(s.retry) > 0 && !s.retry[0].due.After(now) {
		b := s.retry.pop()
		s.retryEvents -= len(b.events)
		s.inflight += len(b.events)
		s.current = b.events
		return b
	}
	if s.fresh.len() == 0 {
		return nil
	}
	schema := spec.EventDeliverySchema
	limit := spec.PreferredBatchSizeInKilobytes << 10
	b := &batch{nominal: now, due: now}
	size := 2 // the array's brackets
	for s.fresh.len() > 0 && len(b.events) < spec.MaxEventsPerBatch {
		n := s.fresh.peek().length(schema)
		if len(b.events) > 0 {
			n++ // the comma
			if size+n > limit {
				break
			}
		}
		size += n
		b.events = append(b.events, s.fresh.pop())
	}
	s.inflight += len(b.events)
	s.current = b.events
	return b
}

// attempt makes one delivery attempt of b and decides what follows.
func (s *subscription) attempt(b *batch, spec SubscriptionSpec) {
	ttl := time.Duration(spec.RetryPolicy.EventTimeToLiveInMinutes) * time.Minute
	var expired, live []*event
	for _, ev := range b.events {
		if b.nominal.Sub(ev.publishTime) > ttl {
			expired = append(expired, ev)
		} else {
			live = append(live, ev)
		}
	}
	if len(expired) > 0 {
		s.giveUp(spec, expired, deadLetterInfo{reason: ReasonTimeToLiveExceeded, attempts: b.attempt,
			outcome: b.lastOutcome, status: b.lastStatus, lastAttempt: b.lastNominal, at: b.nominal})
		b.events = live
	}
	if len(b.events) == 0 {
		return
	}

	req, body, err := s.newRequest(b, spec)
	if err != nil { // cannot happen with a validated endpoint; do not spin
		s.e.log.Error("eventgrid: cannot build delivery request", "subscription", s.name, "err", err)
		s.giveUp(spec, b.events, deadLetterInfo{reason: ReasonMaxDeliveryAttemptsExceeded, attempts: b.attempt,
			outcome: OutcomeGenericError, lastAttempt: b.lastNominal, at: b.nominal})
		return
	}
	sent := sentRequest(req, body, spec)
	ctx, cancel := context.WithTimeout(s.ctx, s.e.opts.DeliveryTimeout)
	req = req.WithContext(ctx)
	start := time.Now()
	status, outcome, fault, sendErr := s.e.SendOutbound(s.name, b.attempt, req)
	dur := time.Since(start)
	cancel()
	if s.ctx.Err() != nil {
		return // deleted or closed: the queue is gone
	}
	end := s.e.clock.Now()

	a := Attempt{Subscription: s.name, EventIDs: ids(b.events), Attempt: b.attempt, Status: status,
		Outcome: outcome, Fault: fault, Duration: dur, NominalTime: b.nominal}
	if sendErr != nil {
		a.Error = sendErr.Error()
	}
	made := b.attempt + 1
	// The journal entry is written before the batch leaves the queue, so
	// that a Drain that returns sees it.
	switch {
	case outcome == OutcomeDelivered || outcome == OutcomeSkipped:
		a.Disposition = DispositionDelivered
		s.e.journal.add(a, sent)
		s.finish(b.events, func(s *subscription) { s.delivered += int64(len(b.events)) })
	case isFinal(status) || made >= spec.RetryPolicy.MaxDeliveryAttempts:
		a.Disposition = DispositionDropped
		if spec.DeadLetter {
			a.Disposition = DispositionDeadLettered
		}
		s.e.journal.add(a, sent)
		s.giveUp(spec, b.events, deadLetterInfo{reason: ReasonMaxDeliveryAttemptsExceeded,
			attempts: made, outcome: outcome, status: status, lastAttempt: b.nominal, at: b.nominal})
	default:
		a.Disposition = DispositionRetrying
		delay := spread(RetryDelay(b.attempt, status), s.rnd.Float64())
		b.lastStatus, b.lastOutcome, b.lastNominal = status, outcome, b.nominal
		b.attempt = made
		b.nominal = b.nominal.Add(delay)
		b.due = end.Add(scaled(delay, scaleOf(spec, s.e.opts.TimeScale)))
		a.NextAttemptNominal = b.nominal
		s.e.journal.add(a, sent)
		s.mu.Lock()
		if !s.deleted {
			s.inflight -= len(b.events)
			s.retryEvents += len(b.events)
			s.retry.push(b)
			s.current = nil
		}
		s.mu.Unlock()
	}
	if s.e.log.Enabled(s.ctx, slog.LevelDebug) {
		s.e.log.Debug("eventgrid: delivery attempt", "subscription", s.name, "events", len(b.events),
			"attempt", a.Attempt, "status", status, "outcome", outcome, "disposition", a.Disposition)
	}
}

// giveUp dead-letters evs, or drops them when dead-lettering is off.
func (s *subscription) giveUp(spec SubscriptionSpec, evs []*event, info deadLetterInfo) {
	if spec.DeadLetter {
		s.deadLetter(spec.EventDeliverySchema, evs, info)
		s.finish(evs, func(s *subscription) { s.deadLetters += int64(len(evs)) })
		return
	}
	s.e.log.Info("eventgrid: dropped undeliverable events (dead-lettering is off)", "subscription", s.name,
		"events", len(evs), "reason", info.reason, "lastOutcome", info.outcome)
	s.finish(evs, func(s *subscription) { s.dropped += int64(len(evs)) })
}

// finish removes evs, which were in flight, from the queue's accounts.
func (s *subscription) finish(evs []*event, count func(*subscription)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deleted {
		return
	}
	count(s)
	s.inflight -= len(evs)
	s.current = nil
	for _, ev := range evs {
		s.bytes -= ev.mem + queueSlotCost
		s.e.release(ev)
	}
	if s.pendingLocked() == 0 {
		s.signalLocked()
	}
}

// newRequest builds the delivery request of b.
func (s *subscription) newRequest(b *batch, spec SubscriptionSpec) (*http.Request, []byte, error) {
	schema := spec.EventDeliverySchema
	var body []byte
	contentType := ContentTypeEventGrid
	if schema == CloudEventSchema && spec.MaxEventsPerBatch == 1 {
		body, contentType = b.events[0].rendered(schema), ContentTypeCloudEvent
	} else {
		if schema == CloudEventSchema {
			contentType = ContentTypeCloudEventBatch
		}
		n := 1 + len(b.events)
		for _, ev := range b.events {
			n += ev.length(schema)
		}
		body = make([]byte, 0, n)
		body = append(body, '[')
		for i, ev := range b.events {
			if i > 0 {
				body = append(body, ',')
			}
			body = ev.appendTo(body, schema)
		}
		body = append(body, ']')
	}
	req, err := http.NewRequest(http.MethodPost, spec.EndpointURL, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	first := b.events[0]
	var firstObj map[string]any // decoded once, only for dynamic attributes
	h := req.Header
	for _, a := range spec.DeliveryAttributeMappings {
		v := a.Value
		if a.Type == AttributeDynamic {
			if firstObj == nil {
				firstObj = first.object(schema)
			}
			var ok bool
			if v, ok = lookupPath(firstObj, a.SourceField); !ok {
				continue
			}
		}
		h.Set(a.Name, headerValue(v))
	}
	h.Set("Content-Type", contentType)
	h.Set("aeg-event-type", "Notification")
	h.Set("aeg-subscription-name", s.upperName())
	h.Set("aeg-delivery-count", strconv.Itoa(b.attempt))
	if schema == CloudEventSchema {
		// The CloudEvents spec version; CloudEvents have no data version.
		h.Set("aeg-metadata-version", "1.0")
	} else {
		h.Set("aeg-data-version", first.DataVersion)
		h.Set("aeg-metadata-version", first.metadataVersion)
	}
	// The delivered event's own id (of the first, in a batch), as documented:
	// the same across retries and duplicates, so a webhook can deduplicate on it.
	h.Set("aeg-output-event-id", first.ID)
	if err := s.e.authorize(req, spec); err != nil {
		return nil, nil, err
	}
	return req, body, nil
}

// headerValue keeps a value on one header line.
func headerValue(v string) string {
	if len(v) > MaxDeliveryAttributeValueBytes {
		v = v[:MaxDeliveryAttributeValueBytes]
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, v)
}

func ids(evs []*event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// redactedHeader is h as an attempt's record keeps it: the Authorization
// header and secret delivery attributes are replaced by a note, as the
// subscription's own view hides secrets.
func redactedHeader(h http.Header, spec SubscriptionSpec) http.Header {
	out := h.Clone()
	hide := func(name string) {
		if vs := out.Values(name); len(vs) > 0 {
			out.Set(name, fmt.Sprintf("(secret, %d characters, not kept)", len(vs[0])))
		}
	}
	hide("Authorization")
	for _, a := range spec.DeliveryAttributeMappings {
		if a.IsSecret {
			hide(a.Name)
		}
	}
	return out
}
