// Package emulator is a local, in-process fake of the Azure Communication
// Services call-recording service: HMAC-verified recording downloads (the 2021
// preview API and the GA storage paths) with full HTTP Range support over
// synthetic or uploaded media, an Event Grid delivery engine, and a control
// plane under /_emulator/ that tests drive through the control package.
//
// Start one like net/http/httptest.Server:
//
//	srv, err := emulator.New(emulator.Options{})
//	if err != nil { ... }
//	defer srv.Close()
//	fmt.Println(srv.ConnectionString())
package emulator

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/auth"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/dashboard"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/tlsca"
	"github.com/acsemu/acsemu/emulator/tokens"
)

// Server is a running emulator.
type Server struct {
	opts     Options
	clock    clock.Clock
	log      *slog.Logger
	listener net.Listener
	http     *http.Server
	url      string
	ca       *tlsca.Authority
	// storageURL is the base URL made of Options.StorageHost.
	storageURL string

	verifier *auth.Verifier
	store    *recordings.Store
	hasher   *recordings.Hasher
	calling  *calling.Service
	journal  *journal.Journal
	// control serves /_emulator/ (controlroutes.go), built once, behind the
	// guard (controlguard.go).
	control http.Handler
	events  *eventgrid.Engine
	faults  *faults.Injector
	ui      *dashboard.Dashboard // the live UI under /_emulator/ui/
	guard   controlGuard
	tokens  *tokens.Issuer

	serveErr chan error
	closeMu  sync.Once
	closeErr error
}

// New starts an emulator listening on opts.Addr. It returns once the listener
// is bound, so URL is usable at once.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.AccessKey == nil {
		opts.AccessKey = DevAccessKey
	}
	if len(opts.AccessKey) == 0 {
		return nil, errors.New("emulator: the access key is empty")
	}
	switch {
	case opts.MaxClockSkew == 0:
		opts.MaxClockSkew = DefaultMaxClockSkew
	case opts.MaxClockSkew < 0:
		opts.MaxClockSkew = 0
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Seed == 0 {
		opts.Seed = randomSeed()
	}
	if opts.EventTimeScale == 0 {
		opts.EventTimeScale = 1
	}
	if opts.EventTimeScale < 0 {
		return nil, fmt.Errorf("emulator: event time scale %v must be positive", opts.EventTimeScale)
	}
	if h := opts.StorageHost; h != "" && (strings.ContainsAny(h, ":/@?# ") || strings.Trim(h, ".") != h) {
		return nil, fmt.Errorf("emulator: storage host %q must be a bare host name such as us-storage.asm.skype.com (the scheme and port follow from the listener)", h)
	}
	if opts.RecordingProcessingDelay == 0 {
		opts.RecordingProcessingDelay = calling.DefaultProcessingDelay
	}
	if opts.BodyReadTimeout <= 0 {
		opts.BodyReadTimeout = 30 * time.Second
	}
	if opts.MaxRequestBody <= 0 {
		opts.MaxRequestBody = 1 << 20
	}
	switch {
	case opts.WriteIdleTimeout == 0:
		opts.WriteIdleTimeout = DefaultWriteIdleTimeout
	case opts.WriteIdleTimeout < 0:
		opts.WriteIdleTimeout = 0
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 512 << 20
	}
	if opts.ResourceID == "" { // a GUID, as the real resourceId (the resource's immutable id)
		opts.ResourceID = recordings.NewIDs(opts.Seed ^ 0x7265736f75726365).UUID()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	verifier, err := auth.NewVerifier(auth.Options{AccessKey: opts.AccessKey, MaxClockSkew: opts.MaxClockSkew, Strict: opts.StrictAuth, Clock: opts.Clock})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	// Before the engines that take its hooks (Event Grid: DeliveryHook).
	inj, err := faults.New(faults.Options{Seed: opts.Seed, Clock: opts.Clock, RulesFile: opts.FaultRulesFile})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s := &Server{
		opts:     opts,
		clock:    opts.Clock,
		log:      opts.Logger,
		verifier: verifier,
		journal: journal.NewWithLimits(journal.Limits{Entries: opts.JournalCapacity, Bytes: opts.JournalMaxBytes,
			HeaderBytes: opts.JournalMaxHeaderBytes}),
		hasher:   recordings.NewHasher(opts.HashConcurrency),
		faults:   inj,
		guard:    newControlGuard(opts),
		serveErr: make(chan error, 1),
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on %s: %w", opts.Addr, err)
	}
	scheme := "http"
	if opts.TLS {
		s.ca, err = newAuthority(opts)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("emulator: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{s.ca.Server}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	s.listener = ln
	s.url = scheme + "://" + ln.Addr().String()
	if opts.StorageHost != "" {
		s.storageURL = scheme + "://" + net.JoinHostPort(opts.StorageHost, port(ln.Addr()))
	}
	s.tokens = tokens.New(opts.Clock, s.PublicURL)
	s.events, err = eventgrid.New(eventgrid.Options{Clock: opts.Clock, Seed: opts.Seed, TimeScale: opts.EventTimeScale,
		PublicURL: s.PublicURL, DeadLetterDir: opts.DeadLetterDir, MaxTotalQueuedBytes: opts.EventQueueMaxBytes, Logger: opts.Logger, DeliveryHook: s.faults.DeliveryHook(),
		AllowedEndpoints: opts.WebhookAllowList, Authorize: s.deliveryAuthorization})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug),
	}
	// Recordings are dated by the recording clock, like callbacks and events.
	s.store = recordings.NewStore(recordingClock{s}, opts.Seed, opts.ResourceID, opts.MaxUpload)
	s.store.SetLimits(recordings.Limits{Recordings: opts.MaxRecordings, StoredBytes: opts.MaxStoredBytes, UploadedBytes: opts.MaxUploadedBytes})
	s.calling = calling.New(calling.Options{Clock: opts.Clock, Store: s.store, Journal: s.journal, Publish: s.publishRecording,
		Seed: opts.Seed, ProcessingDelay: opts.RecordingProcessingDelay, ActivationDelay: opts.RecordingActivationDelay,
		StorageBaseURL: s.StorageBaseURL, Logger: opts.Logger, Authorize: s.callbackAuthorization, Outbound: s.events})
	s.ui = s.newDashboard()
	s.http.RegisterOnShutdown(s.ui.Close) // open pages must not hold up Close
	s.control = NewControlHandler(ControlParts{Server: s, Events: s.events, Faults: s.faults, Calling: s.calling,
		Journal: s.journal, Clock: opts.Clock, Dashboard: s.ui})
	go func() { s.serveErr <- s.http.Serve(ln) }()
	s.log.Info("emulator listening", "url", s.url, "seed", opts.Seed)
	if opts.ControlToken == "" && !isLoopbackAddr(ln.Addr().String()) {
		s.log.Warn("the control plane is reachable beyond this machine without a control token: anyone who can reach " +
			s.url + " can read the request journal, reset state, upload documents and make the emulator call any URL " +
			"through Event Grid subscriptions; set --control-token (ACSEMU_CONTROL_TOKEN) or listen on 127.0.0.1")
	}
	return s, nil
}

// recordingClock is the Call Automation recording clock (the emulator's
// clock plus what the control plane advanced it by), for the store, which is
// made before the service and only asks the time once it runs.
type recordingClock struct{ s *Server }

func (c recordingClock) Now() time.Time                         { return c.s.calling.Now() }
func (c recordingClock) After(d time.Duration) <-chan time.Time { return c.s.clock.After(d) }

// Seed is the seed of this run: Options.Seed, or the random one picked for 0.
func (s *Server) Seed() int64 { return s.opts.Seed }

// randomSeed is a random positive seed (never 0, which means "pick one").
func randomSeed() int64 {
	for {
		var b [8]byte
		_, _ = rand.Read(b[:])
		if v := int64(binary.BigEndian.Uint64(b[:]) >> 1); v != 0 {
			return v
		}
	}
}

// URL is the emulator's base URL (scheme://127.0.0.1:port).
func (s *Server) URL() string { return s.url }

// ConnectionString is the ACS connection string for this emulator.
func (s *Server) ConnectionString() string {
	return "endpoint=" + s.url + "/;accesskey=" + encodeKey(s.opts.AccessKey)
}

// StorageBaseURL is the scheme://host[:port] used in document locations.
func (s *Server) StorageBaseURL() string {
	if s.opts.StorageBaseURL != "" {
		return strings.TrimRight(s.opts.StorageBaseURL, "/")
	}
	if s.storageURL != "" {
		return s.storageURL
	}
	return s.url
}

// CAFile is the path of the CA certificate file with Options.CADir and TLS,
// or "".
func (s *Server) CAFile() string {
	if s.ca == nil || s.opts.CADir == "" {
		return ""
	}
	return filepath.Join(s.opts.CADir, tlsca.CertFile)
}

// newAuthority makes the TLS certificates: from the CA kept in opts.CADir, or
// a fresh CA.
func newAuthority(opts Options) (*tlsca.Authority, error) {
	hosts := opts.TLSHosts
	if opts.StorageHost != "" {
		hosts = append(append([]string{}, hosts...), opts.StorageHost)
	}
	if opts.CADir == "" {
		return tlsca.New(time.Now(), 365*24*time.Hour, hosts)
	}
	ca, _, err := tlsca.Load(opts.CADir, time.Now())
	if err != nil {
		return nil, err
	}
	return ca.Issue(time.Now(), 365*24*time.Hour, hosts)
}

func port(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

// PublicURL is the emulator's URL as webhooks see it.
func (s *Server) PublicURL() string {
	if s.opts.PublicURL != "" {
		return strings.TrimRight(s.opts.PublicURL, "/")
	}
	return s.url
}

// Control returns a control-plane client for this emulator.
func (s *Server) Control() *control.Client {
	c, err := control.NewClient(s.url, s.HTTPClient())
	if err != nil {
		panic(err) // s.url is built by New and always valid
	}
	return c.WithToken(s.opts.ControlToken)
}

// HTTPClient returns a client that trusts the emulator's CA in TLS mode.
func (s *Server) HTTPClient() *http.Client {
	if s.ca == nil {
		return &http.Client{}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: s.ca.Pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}
}

// CACertificate returns the PEM of the local CA, or nil without TLS.
func (s *Server) CACertificate() []byte {
	if s.ca == nil {
		return nil
	}
	return s.ca.CAPEM
}

// Journal is the request journal.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Recordings is the recording store.
func (s *Server) Recordings() *recordings.Store { return s.store }

// Faults is the fault injector (rules, fired faults, Retry-After violations).
func (s *Server) Faults() *faults.Injector { return s.faults }

// Events is the Event Grid delivery engine (subscriptions, deliveries, dead letters).
func (s *Server) Events() *eventgrid.Engine { return s.events }

// Close stops the listener, ends active connections and waits for the
// server goroutine. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeMu.Do(func() {
		s.calling.Close() // first: it ends long polls that would hold up Shutdown
		// Fault waits (stall, latency) would hold up Shutdown too.
		_ = s.faults.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := s.http.Shutdown(ctx)
		if err != nil {
			err = s.http.Close()
		}
		if serr := <-s.serveErr; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		// After the listener: no request can publish into a closed engine.
		err = errors.Join(err, s.events.Close())
		s.hasher.Close()
		s.closeErr = err
	})
	return s.closeErr
}

// ServeHTTP routes the control plane and the data plane.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.WriteIdleTimeout > 0 {
		w = newIdleWriter(w, s.opts.WriteIdleTimeout)
	}
	if strings.HasPrefix(r.URL.Path, api.Prefix) {
		s.serveGuardedControl(w, r)
		return
	}
	if s.serveDiscovery(w, r) {
		return
	}
	s.serveData(w, r)
}
