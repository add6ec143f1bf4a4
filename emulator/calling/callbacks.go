package calling

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
)

// Journal plane and target of callback attempts.
const (
	PlaneCallback           = "callback"
	TargetRecordingCallback = "recordingStateChanged"
)

// CallbackSubscription is the pseudo-subscription name of callback attempts
// in the deliveries journal and in delivery fault rules ({"target":"delivery",
// "subscription":"callback:recordingStateChanged"}); the colon keeps it apart
// from every real subscription name.
const CallbackSubscription = "callback:" + TargetRecordingCallback

// Outbound is the emulator's outbound delivery machinery, as
// eventgrid.Engine provides it (SendOutbound, RecordAttempt): the same
// fault hook, HTTP client, outcome classification and attempt journal as
// Event Grid deliveries.
type Outbound interface {
	SendOutbound(name string, attempt int, req *http.Request) (status int, outcome, fault string, err error)
	RecordAttempt(a api.Attempt, req *http.Request, body []byte)
}

// plainOutbound sends with an HTTP client and records nothing: the Service
// without an emulator around it (Options.Outbound nil).
type plainOutbound struct{ hc *http.Client }

func (p plainOutbound) SendOutbound(_ string, _ int, req *http.Request) (int, string, string, error) {
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, "", "", nil
}

func (plainOutbound) RecordAttempt(api.Attempt, *http.Request, []byte) {}

// userAgent is sent with every callback.
const userAgent = "acsemu-callautomation"

// maxQueuedCallbacks bounds the callbacks waiting for delivery; beyond it new ones are dropped (and journaled).
const maxQueuedCallbacks = 10_000

// callback is one RecordingStateChanged POST to deliver.
type callback struct {
	url         string
	eventID     string // the CloudEvent's id, for the deliveries journal
	body        []byte
	recordingID string
	state       string
	gen         int
}

// notifier delivers callbacks in order, one at a time, from a single
// goroutine: a callback is retried (after backoff, doubled each time, on the
// recording clock) until a 2xx answer or attempts run out, and the next one
// waits for it, so an endpoint always sees active before inactive.
type notifier struct {
	clk      clock.Clock // waits
	base     clock.Clock // journal timestamps
	out      Outbound
	journal  *journal.Journal
	log      *slog.Logger
	attempts int
	backoff  time.Duration
	timeout  time.Duration
	wake     chan struct{}
	// authorize is Options.Authorize (nil: no Authorization header).
	authorize func() (string, error)

	mu    sync.Mutex
	queue []callback
	gen   int
}

func (n *notifier) enqueue(cb callback) {
	n.mu.Lock()
	cb.gen = n.gen
	full := len(n.queue) >= maxQueuedCallbacks
	if !full {
		n.queue = append(n.queue, cb)
	}
	n.mu.Unlock()
	if full {
		n.record(cb, 0, 0, "dropped: more than 10000 callbacks are waiting for delivery")
		return
	}
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// reset drops queued callbacks and stops retrying the current one.
func (n *notifier) reset() {
	n.mu.Lock()
	n.queue = nil
	n.gen++
	n.mu.Unlock()
}

func (n *notifier) next() (callback, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.queue) == 0 {
		return callback{}, false
	}
	cb := n.queue[0]
	n.queue = n.queue[1:]
	return cb, true
}

func (n *notifier) stale(cb callback) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return cb.gen != n.gen
}

func (n *notifier) run(ctx context.Context) {
	for {
		cb, ok := n.next()
		if !ok {
			select {
			case <-n.wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		n.deliver(ctx, cb)
		if ctx.Err() != nil {
			return
		}
	}
}

func (n *notifier) deliver(ctx context.Context, cb callback) {
	for attempt := 1; attempt <= n.attempts; attempt++ {
		if attempt > 1 {
			select {
			case <-n.clk.After(n.backoff << (attempt - 2)):
			case <-ctx.Done():
				return
			}
		}
		if n.stale(cb) {
			return
		}
		start := time.Now()
		req, status, outcome, fault, err := n.post(ctx, cb, attempt)
		took := time.Since(start)
		a := api.Attempt{Kind: eventgrid.KindCallback, Subscription: CallbackSubscription, EventIDs: []string{cb.eventID},
			Attempt: attempt - 1, Status: status, Outcome: outcome, Fault: fault, Duration: took, NominalTime: n.clk.Now()}
		if err != nil {
			a.Error = err.Error()
		}
		note := ""
		switch {
		case err == nil && (status >= 200 && status < 300 || outcome == eventgrid.OutcomeSkipped):
			a.Disposition = eventgrid.DispositionDelivered
			n.out.RecordAttempt(a, req, cb.body)
			n.record(cb, status, took, "")
			return
		case err != nil:
			note = err.Error()
		default:
			note = fmt.Sprintf("status %d", status)
		}
		if fault != "" {
			note += "; fault: " + fault
		}
		if attempt < n.attempts {
			a.Disposition = eventgrid.DispositionRetrying
			a.NextAttemptNominal = a.NominalTime.Add(n.backoff << (attempt - 1))
			note = fmt.Sprintf("attempt %d of %d failed (%s); retrying after %s", attempt, n.attempts, note, n.backoff<<(attempt-1))
		} else {
			a.Disposition = eventgrid.DispositionDropped
			note = fmt.Sprintf("attempt %d of %d failed (%s); giving up", attempt, n.attempts, note)
			n.log.Warn("recording state callback not delivered", "url", cb.url, "recordingId", cb.recordingID, "state", cb.state)
		}
		n.out.RecordAttempt(a, req, cb.body)
		n.record(cb, status, took, note)
		if ctx.Err() != nil {
			return
		}
	}
}

// post makes one attempt through the outbound machinery and returns the
// request it sent (nil if it could not be built).
func (n *notifier) post(ctx context.Context, cb callback, attempt int) (req *http.Request, status int, outcome, fault string, err error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, cb.url, bytes.NewReader(cb.body))
	if err != nil {
		return nil, 0, eventgrid.OutcomeGenericError, "", err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", userAgent)
	if err := n.setAuthorization(req); err != nil {
		return req, 0, eventgrid.OutcomeGenericError, "", err
	}
	status, outcome, fault, err = n.out.SendOutbound(CallbackSubscription, attempt-1, req)
	return req, status, outcome, fault, err
}

// record journals one attempt (status 0: no answer, or never sent).
func (n *notifier) record(cb callback, status int, took time.Duration, note string) {
	if n.journal == nil {
		return
	}
	e := journal.Entry{Time: n.base.Now(), Plane: PlaneCallback, Target: TargetRecordingCallback, Method: http.MethodPost,
		Status: status, BytesSent: int64(len(cb.body)), Duration: took,
		Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "User-Agent": {userAgent}}}
	if note != "" {
		e.Error = fmt.Sprintf("RecordingStateChanged %s of %s: %s", cb.state, cb.recordingID, note)
	}
	if u, err := url.Parse(cb.url); err == nil {
		e.Path, e.Query, e.RemoteAddr = u.Path, u.RawQuery, u.Host
	}
	n.journal.Add(e)
}

// setAuthorization adds the callback's bearer token (a fresh one per request).
func (n *notifier) setAuthorization(req *http.Request) error {
	if n.authorize == nil {
		return nil
	}
	v, err := n.authorize()
	if err != nil {
		return fmt.Errorf("sign the callback: %w", err)
	}
	if v != "" {
		req.Header.Set("Authorization", v)
	}
	return nil
}
