package eventgrid

import (
	"context"
	"crypto/subtle"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

// Provisioning states.
const (
	StateCreating             = "Creating"
	StateUpdating             = "Updating"
	StateSucceeded            = "Succeeded"
	StateAwaitingManualAction = "AwaitingManualAction"
	StateFailed               = "Failed"
)

// subscription is the engine's state for one subscription.
type subscription struct {
	e    *Engine
	name string
	rnd  *rand.Rand // worker goroutine only

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{}

	mu          sync.Mutex
	spec        SubscriptionSpec // replaced, never mutated
	state       string
	failure     string
	detail      string
	busy        bool // a handshake is running
	earlyGrant  bool // the validationUrl was called while it ran
	deleted     bool
	code        string
	valURL      string
	valDeadline time.Time
	created     time.Time
	updated     time.Time

	fresh       fifo
	retry       batchHeap
	retryEvents int
	inflight    int
	current     []*event // the batch in flight, if any
	bytes       int64
	delivered   int64
	deadLetters int64
	dropped     int64
	// idle is closed (and replaced) whenever the queue empties, the state
	// changes or the subscription is deleted; Drain waits on it.
	idle chan struct{}
}

// CreateSubscription checks spec, runs the validation handshake and returns
// the subscription. A handshake that fails is not an error: the returned
// subscription is Failed and FailureReason says why. Errors are *wire.Error:
// 400 for invalid settings, 409 if the name is taken.
func (e *Engine) CreateSubscription(ctx context.Context, spec SubscriptionSpec) (Subscription, error) {
	norm, err := normalize(spec, nil)
	if err != nil {
		return Subscription{}, err
	}
	if err := checkEndpointAllowed(e.opts.AllowedEndpoints, norm.EndpointURL); err != nil {
		return Subscription{}, err
	}
	now := e.clock.Now()
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return Subscription{}, ErrClosed
	}
	if old, ok := e.subs[key(norm.Name)]; ok {
		e.mu.Unlock()
		return Subscription{}, wire.Errorf(http.StatusConflict, "Conflict",
			"event subscription %q already exists (names ignore case); update it with PUT or delete it first", old.name)
	}
	if len(e.subs) >= e.opts.MaxSubscriptions {
		e.mu.Unlock()
		return Subscription{}, wire.Errorf(http.StatusConflict, "TooManySubscriptions", "at most %d event subscriptions are allowed", e.opts.MaxSubscriptions)
	}
	s := &subscription{
		e: e, name: norm.Name, rnd: newRand(e.opts.Seed, "subscription/"+norm.Name),
		done: make(chan struct{}), wake: make(chan struct{}, 1), idle: make(chan struct{}),
		spec: norm, state: StateCreating, busy: true, created: now, updated: now,
	}
	// The code is live during the handshake: an endpoint may call the
	// validationUrl before it answers.
	s.code = e.newGUID()
	code := s.code
	s.ctx, s.cancel = context.WithCancel(e.ctx)
	e.subs[key(norm.Name)] = s
	e.wg.Add(1)
	go s.run()
	e.mu.Unlock()

	res := e.handshake(ctx, norm, code)
	if !s.finishHandshake(norm, res) {
		return Subscription{}, wire.Errorf(http.StatusConflict, "Conflict", "event subscription %q was deleted while it was being validated", norm.Name)
	}
	e.logState(s)
	return s.view(), nil
}

// UpdateSubscription replaces the settings of an existing subscription and
// validates the endpoint again. Queued events stay queued.
func (e *Engine) UpdateSubscription(ctx context.Context, spec SubscriptionSpec) (Subscription, error) {
	if err := checkName(spec.Name); err != nil {
		return Subscription{}, err
	}
	s, err := e.lookup(spec.Name)
	if err != nil {
		return Subscription{}, err
	}
	spec.Name = s.name // names ignore case; the first spelling stays
	s.mu.Lock()
	prev := s.spec
	s.mu.Unlock()
	norm, err := normalize(spec, &prev)
	if err != nil {
		return Subscription{}, err
	}
	if err := checkEndpointAllowed(e.opts.AllowedEndpoints, norm.EndpointURL); err != nil {
		return Subscription{}, err
	}
	s.mu.Lock()
	if s.busy || s.deleted {
		s.mu.Unlock()
		return Subscription{}, wire.Errorf(http.StatusConflict, "Conflict", "event subscription %q is being validated or deleted; try again", spec.Name)
	}
	code := e.newGUID()
	s.busy, s.earlyGrant, s.state, s.updated = true, false, StateUpdating, e.clock.Now()
	s.failure, s.detail, s.code, s.valURL = "", "", code, ""
	s.signalLocked()
	s.mu.Unlock()

	res := e.handshake(ctx, norm, code)
	if !s.finishHandshake(norm, res) {
		return Subscription{}, wire.Errorf(http.StatusConflict, "Conflict", "event subscription %q was deleted while it was being validated", norm.Name)
	}
	e.logState(s)
	return s.view(), nil
}

// Subscription returns the named subscription.
func (e *Engine) Subscription(name string) (Subscription, error) {
	s, err := e.lookup(name)
	if err != nil {
		return Subscription{}, err
	}
	return s.view(), nil
}

// Subscriptions returns every subscription, ordered by name.
func (e *Engine) Subscriptions() []Subscription {
	subs := e.sortedSubs()
	out := make([]Subscription, 0, len(subs))
	for _, s := range subs {
		out = append(out, s.view())
	}
	return out
}

// DeleteSubscription stops the subscription's worker (cancelling a delivery
// in flight) and forgets its queue. Its journal entries and dead letters stay.
func (e *Engine) DeleteSubscription(name string) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	s, ok := e.subs[key(name)]
	if !ok {
		e.mu.Unlock()
		return notFound(name)
	}
	delete(e.subs, key(name))
	e.mu.Unlock()
	s.stop()
	return nil
}

// CompleteValidation completes a manual validation: it is what a GET (or,
// for the CloudEvents callback, a POST) on the validationUrl does.
func (e *Engine) CompleteValidation(name, code string) (Subscription, error) {
	s, err := e.lookup(name)
	if err != nil {
		return Subscription{}, err
	}
	s.mu.Lock()
	s.refreshLocked(e.clock.Now())
	if s.code == "" || subtle.ConstantTimeCompare([]byte(code), []byte(s.code)) != 1 {
		s.mu.Unlock()
		return Subscription{}, wire.Errorf(http.StatusForbidden, "ValidationCodeMismatch",
			"the code does not match the latest validation of event subscription %q", name)
	}
	switch {
	case s.busy:
		// Called back before the handshake's answer: honoured when it comes.
		s.earlyGrant = true
	case s.state == StateAwaitingManualAction:
		s.state, s.detail, s.valURL = StateSucceeded, "validated through validationUrl", ""
		s.signalLocked()
	case s.state == StateSucceeded:
	case s.state == StateFailed:
		reason := s.failure
		s.mu.Unlock()
		return Subscription{}, wire.Errorf(http.StatusBadRequest, "ValidationExpired", "event subscription %q can no longer be validated: %s", name, reason)
	default:
		s.mu.Unlock()
		return Subscription{}, wire.Errorf(http.StatusConflict, "Conflict", "event subscription %q is %s", name, s.state)
	}
	s.mu.Unlock()
	e.logState(s)
	return s.view(), nil
}

func (e *Engine) logState(s *subscription) {
	e.changed.Notify()
	v := s.view()
	e.log.Info("eventgrid: subscription provisioned", "subscription", v.Name, "state", v.ProvisioningState,
		"reason", v.FailureReason, "detail", v.ProvisioningDetail)
}

// finishHandshake stores the settings and the handshake's verdict; false
// means the subscription was deleted meanwhile.
func (s *subscription) finishHandshake(spec SubscriptionSpec, res handshakeResult) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = false
	if s.deleted {
		return false
	}
	s.spec = spec
	s.state, s.failure, s.detail = res.state, res.failure, res.detail
	s.code, s.valURL, s.valDeadline = res.code, res.url, res.deadline
	if s.earlyGrant && res.state == StateAwaitingManualAction {
		s.state, s.detail, s.valURL = StateSucceeded, "validated through validationUrl (called during the handshake)", ""
	}
	s.earlyGrant = false
	s.signalLocked()
	return true
}

// refreshLocked fails a manual validation whose window has passed.
func (s *subscription) refreshLocked(now time.Time) {
	if s.state == StateAwaitingManualAction && !now.Before(s.valDeadline) {
		s.state = StateFailed
		s.failure = "manual validation was not completed: nobody called the validationUrl within " +
			ManualValidationWindow.String() + " (it expired at " + s.valDeadline.UTC().Format(time.RFC3339) + ")"
		s.detail, s.valURL = "", ""
		s.signalLocked()
	}
}

// view is the subscription as users see it.
func (s *subscription) view() Subscription {
	now := s.e.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshLocked(now)
	v := Subscription{
		SubscriptionSpec:   redacted(s.spec),
		ProvisioningState:  s.state,
		FailureReason:      s.failure,
		ProvisioningDetail: s.detail,
		CreatedTime:        s.created,
		UpdatedTime:        s.updated,
		Queued:             s.pendingLocked(),
		Retrying:           s.retryEvents,
		Delivered:          s.delivered,
		DeadLettered:       s.deadLetters,
		Dropped:            s.dropped,
		QueuedBytes:        s.bytes,
	}
	if s.state == StateAwaitingManualAction {
		v.ValidationURL, v.ValidationExpires = s.valURL, s.valDeadline
	}
	return v
}

// succeeded reports whether the subscription receives events now.
func (s *subscription) succeeded(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshLocked(now)
	return s.state == StateSucceeded && !s.deleted
}

// pendingLocked counts the events not finished yet.
func (s *subscription) pendingLocked() int {
	return s.fresh.len() + s.retryEvents + s.inflight
}

// signalLocked wakes the worker and every Drain waiter.
func (s *subscription) signalLocked() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
	close(s.idle)
	s.idle = make(chan struct{})
}

// poke wakes the worker after an enqueue.
func (s *subscription) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// stop ends the worker and waits for it.
func (s *subscription) stop() {
	s.cancel()
	<-s.done
	s.markDeleted()
}

// markDeleted drops the queue and releases Drain waiters.
func (s *subscription) markDeleted() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.deleted {
		// Every event the queue held leaves the engine's total.
		for s.fresh.len() > 0 {
			s.e.release(s.fresh.pop())
		}
		for _, b := range s.retry {
			for _, ev := range b.events {
				s.e.release(ev)
			}
		}
		for _, ev := range s.current {
			s.e.release(ev)
		}
		s.current = nil
	}
	s.deleted = true
	s.fresh = fifo{}
	s.retry = nil
	s.retryEvents, s.inflight, s.bytes = 0, 0, 0
	s.signalLocked()
}

// upperName is the subscription name as Azure writes it in headers and blob paths.
func (s *subscription) upperName() string { return strings.ToUpper(s.name) }
