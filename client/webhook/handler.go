// Package webhook is the reference client's Event Grid endpoint: an
// http.Handler that completes both validation handshakes, accepts
// RecordingFileStatusUpdated events in the Event Grid and CloudEvents 1.0
// schemas (single or batched), and hands one job per recording chunk to a
// durable queue before it answers, so it answers in milliseconds and nothing
// it acknowledged is lost.
//
// What it does, in the order Event Grid needs it:
//
//   - OPTIONS (CloudEvents abuse protection): grants the WebHook-Request-Origin
//     if it is allowed, with WebHook-Allowed-Origin, WebHook-Allowed-Rate and
//     Allow: POST.
//   - POST with aeg-event-type: SubscriptionValidation: answers
//     {"validationResponse": code}.
//   - POST with aeg-event-type: Notification (without it, or with a body that
//     is not JSON, only with Options.Lenient): parses every event with the
//     Azure SDK models;
//     RecordingFileStatusUpdated becomes jobs, other event types are ignored
//     with 200. A chunk whose document id or locations the Check option
//     refuses is logged and skipped.
//
// The body is bounded (413 above MaxBody), malformed JSON is a 400 (Event
// Grid dead-letters it rather than retrying), a failure to store the jobs is a
// 500 (Event Grid retries). Authentication comes first, before the body is
// read: a shared secret in the query string (compared in constant time)
// and/or a bearer token (Options.Tokens, e.g. OIDCVerifier for Entra ID
// delivery auth); a request without them is a 401. Callbacks serves Call
// Automation callbacks, whose JWT it checks the same way.
package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/acsemu/acsemu/client/jobs"
)

// DefaultMaxBody bounds a request body: Event Grid sends at most about 1 MB
// (one event, or a batch of preferredBatchSizeInKilobytes ≤ 1024).
const DefaultMaxBody = 1 << 20

// Sink stores jobs durably; *jobs.Store is one. Add must not return before
// the jobs would survive a crash, and skips documents it already has.
type Sink interface {
	Add(js ...jobs.Job) ([]jobs.Job, error)
}

// Options configure New.
type Options struct {
	// Secret, if set, must be in the query parameter SecretParam of every
	// request (the endpoint URL given to Event Grid carries it).
	Secret string
	// SecretParam names that parameter (default "code").
	SecretParam string
	// MaxBody bounds the request body (default DefaultMaxBody).
	MaxBody int64
	// AllowedOrigins are the WebHook-Request-Origin values the CloudEvents
	// handshake grants; default eventgrid.azure.net. "*" grants any.
	AllowedOrigins []string
	// AllowedRate is the WebHook-Allowed-Rate granted (default "*").
	AllowedRate string
	// Tokens, if set, requires every request to carry "Authorization:
	// Bearer <JWT>" that it accepts (Event Grid's Entra ID delivery auth).
	// With Secret also set, both are required.
	Tokens TokenVerifier
	// Lenient accepts requests without aeg-event-type and bodies whose
	// Content-Type is missing or text/plain (hand-written senders). Off by
	// default: Event Grid always sends both, and a browser page can post
	// text/plain cross-origin without a preflight, but not JSON.
	Lenient bool
	// Check refuses a job before it is queued (download.Downloader.Check):
	// forged locations and document ids never reach the queue.
	Check func(jobs.Job) error
	// Logger gets structured logs; nil discards them.
	Logger *slog.Logger
}

// TokenVerifier checks a bearer token (for example a go-oidc IDTokenVerifier
// wrapped by OIDCVerifier).
type TokenVerifier interface {
	Verify(ctx context.Context, rawToken string) error
}

// Stats count what the handler did.
type Stats struct {
	Requests, Validations, Handshakes          int64
	Accepted, Duplicates, Refused, Ignored     int64
	BadRequests, Unauthorized, TooLarge, Fails int64
}

// Handler is the webhook. It is safe for concurrent use.
type Handler struct {
	sink  Sink
	opts  Options
	log   *slog.Logger
	hash  [32]byte // of the secret
	stats struct {
		requests, validations, handshakes             atomic.Int64
		accepted, duplicates, refused, ignored        atomic.Int64
		badRequests, unauthorized, tooLarge, failures atomic.Int64
	}
}

// New returns a handler that queues jobs in sink.
func New(sink Sink, opts Options) *Handler {
	if opts.SecretParam == "" {
		opts.SecretParam = "code"
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if len(opts.AllowedOrigins) == 0 {
		opts.AllowedOrigins = []string{"eventgrid.azure.net"}
	}
	if opts.AllowedRate == "" {
		opts.AllowedRate = "*"
	}
	h := &Handler{sink: sink, opts: opts, log: opts.Logger, hash: sha256.Sum256([]byte(opts.Secret))}
	if h.log == nil {
		h.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return h
}

// Stats returns the counters so far.
func (h *Handler) Stats() Stats {
	s := &h.stats
	return Stats{Requests: s.requests.Load(), Validations: s.validations.Load(), Handshakes: s.handshakes.Load(),
		Accepted: s.accepted.Load(), Duplicates: s.duplicates.Load(), Refused: s.refused.Load(), Ignored: s.ignored.Load(),
		BadRequests: s.badRequests.Load(), Unauthorized: s.unauthorized.Load(), TooLarge: s.tooLarge.Load(), Fails: s.failures.Load()}
}

// ServeHTTP answers Event Grid.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.stats.requests.Add(1)
	defer func() {
		if p := recover(); p != nil {
			h.stats.failures.Add(1)
			h.log.Error("webhook panic", "panic", fmt.Sprint(p))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	if r.Method != http.MethodPost && r.Method != http.MethodOptions {
		w.Header().Set("Allow", "POST, OPTIONS")
		h.fail(w, r, http.StatusMethodNotAllowed, "method %s not allowed", r.Method)
		return
	}
	// Authentication comes before anything else: an unauthenticated request
	// costs no body read, no parsing and no work.
	if why := h.unauthorized(r); why != "" {
		h.stats.unauthorized.Add(1)
		w.Header().Set("WWW-Authenticate", `Bearer realm="acsrec"`)
		h.fail(w, r, http.StatusUnauthorized, "%s", why)
		return
	}
	if r.Method == http.MethodOptions {
		h.handshake(w, r)
		return
	}
	h.post(w, r)
}

// unauthorized says why r is not authenticated, or "" when it is. The secret
// is compared in constant time (hashes have one length).
func (h *Handler) unauthorized(r *http.Request) string {
	if h.opts.Secret != "" {
		got := sha256.Sum256([]byte(r.URL.Query().Get(h.opts.SecretParam)))
		if subtle.ConstantTimeCompare(got[:], h.hash[:]) != 1 {
			return fmt.Sprintf("missing or wrong secret in the %q query parameter", h.opts.SecretParam)
		}
	}
	if h.opts.Tokens != nil {
		return bearerProblem(r, h.opts.Tokens)
	}
	return ""
}

// bearerProblem checks r's bearer token with v; "" means it is valid.
func bearerProblem(r *http.Request, v TokenVerifier) string {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return "no bearer token: send Authorization: Bearer <JWT>"
	}
	if err := v.Verify(r.Context(), strings.TrimSpace(raw)); err != nil {
		return "invalid bearer token: " + err.Error()
	}
	return ""
}

// handshake answers the CloudEvents abuse-protection OPTIONS request.
func (h *Handler) handshake(w http.ResponseWriter, r *http.Request) {
	origin := strings.TrimSpace(r.Header.Get("WebHook-Request-Origin"))
	w.Header().Set("Allow", "POST, OPTIONS")
	if origin == "" {
		w.WriteHeader(http.StatusOK) // a plain OPTIONS request
		return
	}
	granted := ""
	for _, o := range h.opts.AllowedOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			granted = origin
		}
	}
	if granted == "" {
		h.fail(w, r, http.StatusForbidden, "WebHook-Request-Origin %q is not allowed", origin)
		return
	}
	h.stats.handshakes.Add(1)
	w.Header().Set("WebHook-Allowed-Origin", granted)
	w.Header().Set("WebHook-Allowed-Rate", h.opts.AllowedRate)
	w.Header().Set("Allow", "POST")
	w.WriteHeader(http.StatusOK)
	h.log.Info("granted the CloudEvents webhook handshake", "origin", granted)
}

func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	if why := h.contentTypeProblem(r); why != "" {
		h.fail(w, r, http.StatusUnsupportedMediaType, "%s", why)
		return
	}
	if r.Header.Get("aeg-event-type") == "" && !h.opts.Lenient {
		h.fail(w, r, http.StatusBadRequest, "no aeg-event-type header: Event Grid sends it with every delivery")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.stats.tooLarge.Add(1)
			h.fail(w, r, http.StatusRequestEntityTooLarge, "body larger than %d bytes", h.opts.MaxBody)
			return
		}
		h.fail(w, r, http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	kind := r.Header.Get("aeg-event-type")
	switch kind {
	case "SubscriptionValidation", "Notification", "":
	case "SubscriptionDeletion":
		h.log.Info("subscription deleted", "subscription", r.Header.Get("aeg-subscription-name"))
		w.WriteHeader(http.StatusOK)
		return
	default:
		h.fail(w, r, http.StatusBadRequest, "unknown aeg-event-type %q", kind)
		return
	}
	events, err := parse(r.Header, body)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "%v", err)
		return
	}
	if kind == "SubscriptionValidation" {
		h.validate(w, r, events)
		return
	}
	h.notify(w, r, events)
}

// contentTypeProblem says why r's body type is refused, or "".
func (h *Handler) contentTypeProblem(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		if h.opts.Lenient {
			return ""
		}
		return "no Content-Type: Event Grid sends application/json or a CloudEvents JSON type"
	}
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		return fmt.Sprintf("bad Content-Type %q", ct)
	case mt == "application/json" || mt == "application/cloudevents+json" || mt == "application/cloudevents-batch+json":
		return ""
	case h.opts.Lenient && (mt == "text/plain" || r.Header.Get("ce-specversion") != ""):
		return ""
	}
	return fmt.Sprintf("Content-Type %q is not JSON or CloudEvents JSON", mt)
}

// fail answers a JSON error and logs it.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if status == http.StatusBadRequest || status == http.StatusUnsupportedMediaType {
		h.stats.badRequests.Add(1)
	}
	h.log.Warn("webhook request refused", "status", status, "why", msg, "method", r.Method,
		"subscription", r.Header.Get("aeg-subscription-name"), "deliveryCount", r.Header.Get("aeg-delivery-count"))
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": http.StatusText(status), "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"InternalError"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
