package calling

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// Defaults of Options.
const (
	DefaultProcessingDelay = 5 * time.Second
	// DefaultActivationDelay is the recording-clock time between start
	// (answered "inactive") and media flowing ("active"). Recordings show
	// "active" a few seconds after start; a short delay keeps tests quick
	// while code that takes "inactive" for "stopped" still fails here.
	DefaultActivationDelay  = 2 * time.Second
	DefaultCallbackAttempts = 5
	DefaultCallbackBackoff  = 2 * time.Second
	DefaultCallbackTimeout  = 30 * time.Second
	// MaxSessions bounds the recordings the service remembers; the oldest
	// finished ones are forgotten first.
	MaxSessions = 10_000
	// maxBody bounds a start request body.
	maxBody = 64 << 10
)

// Options configure a Service.
type Options struct {
	// Clock is the emulator's clock; nil means the wall clock. A *clock.Manual
	// is used as is (advancing the service advances it); any other clock is
	// wrapped in a clock.Offset that Advance moves forward.
	Clock clock.Clock
	// Store receives the finished recordings. Required.
	Store *recordings.Store
	// Journal records every callback attempt (plane "callback"); nil records nothing.
	Journal *journal.Journal
	// Publish announces a finished recording (RecordingFileStatusUpdated);
	// nil publishes nothing.
	Publish func(context.Context, *recordings.Recording) error
	// Seed drives recording, call and event ids.
	Seed int64
	// ProcessingDelay is the recording-clock time between stop and the file
	// being ready; 0 or less creates it before stop answers.
	ProcessingDelay time.Duration
	// ActivationDelay is the recording-clock time between start and the
	// recording turning active (DefaultActivationDelay when 0; a negative
	// value means active at once, with no "inactive" callback: the behaviour
	// before the recorded sequence was reproduced). SetSettings changes it.
	ActivationDelay time.Duration
	// StorageBaseURL gives the scheme://host[:port] of document locations in
	// the /result answer; nil means the locations are relative paths.
	StorageBaseURL func() string
	// CallbackAttempts bounds the deliveries of one state callback (default 5).
	CallbackAttempts int
	// CallbackBackoff is the recording-clock wait before the first retry,
	// doubled before each later one (default 2 s).
	CallbackBackoff time.Duration
	// CallbackTimeout bounds one callback request in real time (default 30 s).
	CallbackTimeout time.Duration
	// Outbound sends and journals callbacks: the emulator passes its Event
	// Grid engine, so that a callback is sent, classified, faulted and
	// recorded (GET /_emulator/deliveries, kind "callback") as a delivery
	// attempt is. Nil sends with a plain HTTP client that never follows
	// redirects and records attempts only in Journal.
	Outbound Outbound
	// Logger receives lifecycle and failure lines; nil discards.
	Logger *slog.Logger
	// Authorize, if set, returns the Authorization header of each callback
	// request ("" sends none): Call Automation signs every callback with a
	// fresh JWT. An error fails that attempt.
	Authorize func() (string, error)
}

// Service is the Call Automation recording API of one emulator: its
// recordings, their clock and their state callbacks.
type Service struct {
	opts Options
	base clock.Clock     // the emulator's clock (journal timestamps)
	clk  clock.Advancing // the recording clock: the manual clock itself, or an offset over the real one
	ids  *recordings.IDs
	log  *slog.Logger
	cb   *notifier

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	settings api.CallSettings
	gen      int // incremented by Reset; pending work of an older generation is dropped
	sessions map[string]*session
	order    []string
	repeat   *repeatCache
	closed   bool
}

// New returns a running service; Close stops its goroutines.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.CallbackAttempts <= 0 {
		opts.CallbackAttempts = DefaultCallbackAttempts
	}
	if opts.CallbackBackoff <= 0 {
		opts.CallbackBackoff = DefaultCallbackBackoff
	}
	if opts.CallbackTimeout <= 0 {
		opts.CallbackTimeout = DefaultCallbackTimeout
	}
	if opts.Outbound == nil {
		opts.Outbound = plainOutbound{&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Service{opts: opts, base: opts.Clock, ids: recordings.NewIDs(opts.Seed ^ 0x63616c6c), log: opts.Logger,
		sessions: map[string]*session{}, repeat: newRepeatCache(maxRepeatEntries), settings: defaultSettings(opts.ActivationDelay)}
	if m, ok := opts.Clock.(*clock.Manual); ok {
		s.clk = m
	} else {
		s.clk = clock.NewOffset(opts.Clock)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.cb = &notifier{clk: s.clk, base: s.base, out: opts.Outbound, journal: opts.Journal, log: s.log,
		attempts: opts.CallbackAttempts, backoff: opts.CallbackBackoff, timeout: opts.CallbackTimeout, wake: make(chan struct{}, 1),
		authorize: opts.Authorize}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.cb.run(s.ctx)
	}()
	return s
}

// Now is the recording clock's time.
func (s *Service) Now() time.Time { return s.clk.Now() }

// Advance moves the recording clock forward by d: the manual clock itself
// when the emulator runs on one, the offset over the real clock otherwise.
func (s *Service) Advance(d time.Duration) time.Time { return s.clk.Advance(d) }

// Close stops the callback worker and pending processing, and waits for them.
// Undelivered callbacks are dropped. It is safe to call more than once.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	if o, ok := s.clk.(*clock.Offset); ok {
		o.Close()
	}
	s.wg.Wait()
}

// Reset forgets every recording, pending callback and repeatability key.
// Recordings already stopped but not yet processed are never created.
func (s *Service) Reset() {
	s.mu.Lock()
	s.gen++
	s.sessions, s.order = map[string]*session{}, nil
	s.repeat = newRepeatCache(maxRepeatEntries)
	s.settings = defaultSettings(s.opts.ActivationDelay)
	s.cb.reset() // under s.mu, so no callback of a new recording is lost
	s.mu.Unlock()
}

// addLocked remembers sess, forgetting the oldest finished sessions beyond MaxSessions.
func (s *Service) addLocked(sess *session) {
	s.sessions[sess.id] = sess
	s.order = append(s.order, sess.id)
	for i := 0; len(s.sessions) > MaxSessions && i < len(s.order); {
		old := s.sessions[s.order[i]]
		if old != nil && !old.processedAt.IsZero() {
			delete(s.sessions, old.id)
			s.order = append(s.order[:i], s.order[i+1:]...)
			continue
		}
		i++
	}
}
