package eventgrid

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/wire"
	"github.com/acsemu/acsemu/internal/broadcast"
)

// Defaults and limits.
const (
	// DefaultDeliveryTimeout is Event Grid's per-request timeout.
	DefaultDeliveryTimeout = 30 * time.Second
	// DefaultTopic is the topic of events published without one.
	DefaultTopic = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/acsemu/providers/Microsoft.Communication/communicationServices/acsemu"
	// DefaultMaxQueuedEvents bounds each subscription's queue (events).
	DefaultMaxQueuedEvents = 100_000
	// DefaultMaxQueuedBytes bounds each subscription's queue (bytes held).
	DefaultMaxQueuedBytes = 256 << 20
	// DefaultMaxTotalQueuedBytes bounds the queues of all subscriptions
	// together: 40 full subscriptions cannot hold 40 times one's bound.
	DefaultMaxTotalQueuedBytes = 256 << 20
	// DefaultMaxSubscriptions bounds the number of subscriptions (Azure allows
	// 500 per topic).
	DefaultMaxSubscriptions = 500
	// DefaultJournalCapacity bounds the attempt journal.
	DefaultJournalCapacity = 100_000
	// DefaultDeadLetterCapacity bounds the dead letters kept in memory.
	DefaultDeadLetterCapacity = 10_000
	// MaxEventSize is Event Grid's limit on one event (1 MB).
	MaxEventSize = 1 << 20
	// MaxResponseBody is how much of a webhook's answer is read.
	MaxResponseBody = 64 << 10
	// ManualValidationWindow is how long a subscription may wait in
	// AwaitingManualAction, in clock time (not scaled).
	ManualValidationWindow = 10 * time.Minute
)

// ErrClosed is returned by an Engine after Close.
var ErrClosed = &wire.Error{Status: http.StatusServiceUnavailable, Code: "EngineClosed", Message: "the Event Grid engine is closed"}

// DeliveryHook intercepts delivery attempts; it is the seam for a fault
// injector. It is called once per attempt, on the subscription's worker
// goroutine, with the fully built request (its context carries the attempt's
// timeout; the hook may block, honouring it, to simulate latency). The hook
// may modify req. What it returns decides what happens:
//   - the zero HookResult: the engine sends req normally;
//   - Response != nil: used as the webhook's answer (the engine reads at most
//     64 KiB of its body and closes it); req is not sent;
//   - Err != nil: treated as a transport error (context.DeadlineExceeded is a
//     timeout, anything else a socket error); req is not sent;
//   - Skip: nothing is sent and the attempt counts as delivered (the events
//     are silently lost, as with a "drop" fault); journaled as Skipped.
type DeliveryHook func(sub string, attempt int, req *http.Request) HookResult

// HookResult is what a DeliveryHook decided.
type HookResult struct {
	Response *http.Response
	Err      error
	Skip     bool
	// Fault describes a fault the hook applied; it is recorded in the
	// attempt's journal entry (Attempt.Fault).
	Fault string
}

// Options configure an Engine. The zero value works: wall clock, real-time
// retry schedule, its own HTTP client.
type Options struct {
	// Clock is the engine's time; nil means the wall clock.
	Clock clock.Clock
	// Seed drives every random choice (ids, validation codes, retry spread).
	Seed int64
	// TimeScale multiplies every retry wait: 1 (or 0) is real time; 0.001
	// runs the 24-hour schedule in about 86 s. A subscription's timeScale
	// overrides it.
	TimeScale float64
	// HTTPClient sends deliveries and handshakes; nil means a client of the
	// engine's own. Redirects are never followed, whichever client is used.
	HTTPClient *http.Client
	// PublicURL returns the emulator's base URL as webhooks see it; the
	// validationUrl is PublicURL() + "/_emulator/subscriptions/{name}/validate?code=...".
	// nil means the validationUrl is a path without scheme and host.
	PublicURL func() string
	// Topic is the topic (CloudEvents: source) of events published without
	// one and of validation events; "" means DefaultTopic.
	Topic string
	// DeadLetterDir, if set, also receives each dead letter as a JSON file
	// at <dir>/<SUBSCRIPTION NAME UPPER>/yyyy/M/d/H/<guid>.json, as Azure
	// writes dead-letter blobs.
	DeadLetterDir string
	// Logger receives subscription and dead-letter events (attempts at
	// debug level); nil discards.
	Logger *slog.Logger
	// DeliveryTimeout is the per-request timeout of deliveries and
	// handshakes, in wall-clock time, not scaled (see the package doc);
	// 0 means DefaultDeliveryTimeout.
	DeliveryTimeout time.Duration
	// Authorize, if set, returns the Authorization header value for a
	// delivery or handshake to a subscription with Entra ID delivery auth
	// (audience: its azureActiveDirectoryApplicationIdOrUri); "" sends none.
	Authorize func(audience string) (string, error)
	// AllowedEndpoints, if not empty, restricts subscription endpoints to
	// these hosts ("host", "host:port", "*.domain"); empty allows any.
	AllowedEndpoints []string
	// DeliveryHook, if set, intercepts every delivery attempt (not the
	// handshakes). See DeliveryHook.
	DeliveryHook DeliveryHook
	// MaxQueuedEvents and MaxQueuedBytes bound each subscription's queue
	// (0 means the defaults).
	MaxQueuedEvents int
	MaxQueuedBytes  int64
	// MaxTotalQueuedBytes bounds the bytes queued across all subscriptions
	// (0: DefaultMaxTotalQueuedBytes); Publish beyond it answers 429 with
	// Retry-After, enqueueing nothing. An event queued for n subscriptions
	// counts once (plus a slot per queue): it is held once.
	MaxTotalQueuedBytes int64
	// MaxSubscriptions bounds the number of subscriptions (0: 500).
	MaxSubscriptions int
	// JournalCapacity bounds the attempt journal (0: 100,000 attempts; the
	// oldest go first).
	JournalCapacity int
	// DeadLetterCapacity bounds the dead letters kept in memory (0: 10,000;
	// the oldest go first; files in DeadLetterDir are never removed).
	DeadLetterCapacity int
}

// Engine delivers events to subscriptions. It is safe for concurrent use.
type Engine struct {
	opts         Options
	clock        clock.Clock
	log          *slog.Logger
	hc           *http.Client
	ownTransport *http.Transport

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	subs   map[string]*subscription // by key(name)

	rndMu sync.Mutex
	rnd   *rand.Rand

	// publishMu serialises publishers so that the capacity check and the
	// enqueue of one Publish are atomic (workers only ever shrink queues).
	publishMu sync.Mutex
	// queued is the bytes held by every subscription's queue.
	queued atomic.Int64

	journal *journal
	dead    *deadLetters
	// changed wakes live views at each attempt, dead letter and subscription change.
	changed broadcast.Signal
}

// charge counts ev in the total as one more queue holds it.
func (e *Engine) charge(ev *event) {
	n := int64(queueSlotCost)
	if ev.refs.Add(1) == 1 {
		n += ev.mem
	}
	e.queued.Add(n)
}

// release uncounts ev as a queue lets it go.
func (e *Engine) release(ev *event) {
	n := int64(queueSlotCost)
	if ev.refs.Add(-1) == 0 {
		n += ev.mem
	}
	e.queued.Add(-n)
}

// QueuedBytes is the memory held by every subscription's queue together, as
// MaxTotalQueuedBytes counts it.
func (e *Engine) QueuedBytes() int64 { return e.queued.Load() }

// MaxTotalQueuedBytes is the effective bound of QueuedBytes.
func (e *Engine) MaxTotalQueuedBytes() int64 { return e.opts.MaxTotalQueuedBytes }

// New returns a running Engine.
func New(opts Options) (*Engine, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.TimeScale == 0 {
		opts.TimeScale = 1
	}
	if err := checkScale(opts.TimeScale); err != nil {
		return nil, fmt.Errorf("eventgrid: TimeScale: %w", err)
	}
	if opts.DeliveryTimeout < 0 {
		return nil, fmt.Errorf("eventgrid: DeliveryTimeout %v must not be negative", opts.DeliveryTimeout)
	}
	if opts.DeliveryTimeout == 0 {
		opts.DeliveryTimeout = DefaultDeliveryTimeout
	}
	if opts.Topic == "" {
		opts.Topic = DefaultTopic
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxQueuedEvents <= 0 {
		opts.MaxQueuedEvents = DefaultMaxQueuedEvents
	}
	if opts.MaxQueuedBytes <= 0 {
		opts.MaxQueuedBytes = DefaultMaxQueuedBytes
	}
	if opts.MaxTotalQueuedBytes <= 0 {
		opts.MaxTotalQueuedBytes = DefaultMaxTotalQueuedBytes
	}
	if opts.MaxSubscriptions <= 0 {
		opts.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if opts.JournalCapacity <= 0 {
		opts.JournalCapacity = DefaultJournalCapacity
	}
	if opts.DeadLetterCapacity <= 0 {
		opts.DeadLetterCapacity = DefaultDeadLetterCapacity
	}
	e := &Engine{
		opts:  opts,
		clock: opts.Clock,
		log:   opts.Logger,
		subs:  map[string]*subscription{},
		rnd:   newRand(opts.Seed, "engine"),
		dead:  newDeadLetters(opts.DeadLetterCapacity),
	}
	e.journal = newJournal(opts.JournalCapacity, &e.changed)
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if opts.HTTPClient != nil {
		hc := *opts.HTTPClient
		hc.CheckRedirect = noRedirect
		e.hc = &hc
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		e.ownTransport = tr
		e.hc = &http.Client{Transport: tr, CheckRedirect: noRedirect}
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

// Close stops every worker, abandons queued events and waits until every
// goroutine the engine started has returned. It is safe to call twice.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	subs := e.subs
	e.subs = map[string]*subscription{}
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	for _, s := range subs {
		s.markDeleted()
	}
	if e.ownTransport != nil {
		e.ownTransport.CloseIdleConnections()
	}
	return nil
}

// Reset deletes every subscription (stopping its worker and abandoning its
// queue), clears the journal and the dead letters and restarts the random
// sequence, so the same requests give the same ids again.
func (e *Engine) Reset() {
	e.mu.Lock()
	subs := e.subs
	e.subs = map[string]*subscription{}
	e.mu.Unlock()
	for _, s := range subs {
		s.stop()
	}
	e.journal.reset()
	e.dead.reset()
	e.changed.Notify()
	e.rndMu.Lock()
	e.rnd = newRand(e.opts.Seed, "engine")
	e.rndMu.Unlock()
}

// newGUID returns a seeded random GUID.
func (e *Engine) newGUID() string {
	e.rndMu.Lock()
	defer e.rndMu.Unlock()
	return guid(e.rnd)
}

// lookup returns the named subscription.
func (e *Engine) lookup(name string) (*subscription, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	s, ok := e.subs[key(name)]
	if !ok {
		return nil, notFound(name)
	}
	return s, nil
}

// sortedSubs returns every subscription ordered by name.
func (e *Engine) sortedSubs() []*subscription {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*subscription, 0, len(e.subs))
	for _, s := range e.subs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// validationURL is the URL handed out for manual validation.
func (e *Engine) validationURL(name, code string) string {
	base := ""
	if e.opts.PublicURL != nil {
		base = e.opts.PublicURL()
	}
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + api.Prefix + "subscriptions/" + name + "/validate?code=" + code
}

// key is a subscription's map key: names are case-insensitive, as in Azure
// (the dead-letter path upper-cases them).
func key(name string) string { return strings.ToLower(name) }

func notFound(name string) *wire.Error {
	return wire.Errorf(http.StatusNotFound, "NotFound", "no event subscription %q", name)
}

func checkScale(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > 1000 {
		return errors.New("must be a number greater than 0 and at most 1000 (1 = real time, 0.001 = a thousand times faster)")
	}
	return nil
}

// newRand returns a generator seeded by seed and a label, so that each
// subscription has its own deterministic sequence whatever the interleaving
// of goroutines.
func newRand(seed int64, label string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(label))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// guid formats 16 random bytes as a version-4 GUID.
func guid(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
