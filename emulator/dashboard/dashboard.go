// Package dashboard is acsemu's live web UI: the journal made visible. It
// shows each document's byte coverage request by request (where a fault cut a
// download and where the client resumed), Event Grid deliveries with their
// attempts and dead letters, refused signatures with the strings-to-sign side
// by side, fault rules and their hits, and Call Automation recordings on the
// emulator clock.
//
// The emulator mounts Handler under /_emulator/ui/ on its own listener, so
// the UI has the control plane's protections. The pages are plain
// HTML/CSS/JS embedded in the binary (no CDN, no build step); they read
// GET api/view once and then follow GET events, a Server-Sent Events stream
// driven by the journal (see stream.go). Changes (adding or removing a fault
// rule) go through the control plane's own JSON API.
package dashboard

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/wire"
)

// Prefix is where the emulator mounts the dashboard.
const Prefix = api.Prefix + "ui/"

//go:embed assets
var assets embed.FS

// Journal is what the dashboard reads from the request journal
// (*journal.Journal). ReadAfter lends the new entries in place, so an
// update copies only what it shows, however many requests came in since.
type Journal interface {
	ReadAfter(afterID int64, fn func([]journal.Entry))
	Changed() <-chan struct{}
	LastID() int64
}

// Document is a recording document as the dashboard lists it.
type Document struct {
	ID          string `json:"id"`
	RecordingID string `json:"recordingId,omitempty"`
	Index       int    `json:"index"`
	MediaKind   string `json:"mediaKind,omitempty"`
	// Size is the media's size in bytes, -1 when unknown (deleted).
	Size int64 `json:"size"`
	// SHA256 is the media's hash when already computed ("" otherwise: the
	// dashboard never hashes a document itself).
	SHA256 string `json:"sha256,omitempty"`
}

// Sources are the data the pages show. Journal and Documents are required;
// a nil func leaves its page empty.
type Sources struct {
	Journal   Journal
	Documents func() []Document
	// Now is the emulator clock (nil: the wall clock).
	Now           func() time.Time
	Subscriptions func() []eventgrid.Subscription
	// Attempts returns the delivery attempts whose Seq is above the given one.
	Attempts       func(afterSeq int64) []eventgrid.Attempt
	AttemptRequest func(seq int64) (eventgrid.AttemptRequest, bool)
	DeadLetters    func() []eventgrid.DeadLetter
	FaultRules     func() []faults.RuleStatus
	FaultsFired    func() []faults.Fired
	CallRecordings func() []api.CallRecording
	Clock          func() api.ClockState
	// Changed are other change signals than the journal's (Event Grid
	// attempts happen outside any request).
	Changed []func() <-chan struct{}
}

// Options tune the event stream.
type Options struct {
	// MinInterval is the least time between two updates to one client
	// (default 250 ms): a burst of requests costs one view, not one each.
	MinInterval time.Duration
	// Heartbeat is how often an idle stream sends a comment (default 15 s),
	// so a client that went away is noticed.
	Heartbeat time.Duration
	// MaxBacklog is how many new journal entries one update may carry
	// (default 256); a client further behind gets a resync and a fresh snapshot.
	MaxBacklog int
	// WriteTimeout bounds one write to a client (default 10 s); a client
	// that does not read is dropped.
	WriteTimeout time.Duration
	// MaxClients bounds the open event streams (default 32).
	MaxClients int
}

// Dashboard serves the UI.
type Dashboard struct {
	src     Sources
	opts    Options
	static  http.Handler
	clients chan struct{} // a slot per open stream
	model   model
	// closed ends every stream (Close), so a server's Shutdown need not wait for open pages.
	closed    chan struct{}
	closeOnce sync.Once
}

// Close ends the open event streams; pages reconnect to whatever serves next.
func (d *Dashboard) Close() { d.closeOnce.Do(func() { close(d.closed) }) }

// New returns the dashboard over src.
func New(src Sources, opts Options) *Dashboard {
	if src.Now == nil {
		src.Now = time.Now
	}
	if opts.MinInterval <= 0 {
		opts.MinInterval = 250 * time.Millisecond
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.MaxBacklog <= 0 {
		opts.MaxBacklog = 256
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = 32
	}
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	return &Dashboard{src: src, opts: opts, static: http.FileServerFS(sub), clients: make(chan struct{}, opts.MaxClients), closed: make(chan struct{})}
}

// ServeHTTP answers everything under Prefix:
//
//	GET /_emulator/ui/                 the page (index.html, app.js, app.css)
//	GET /_emulator/ui/api/view         the whole view as JSON (View)
//	GET /_emulator/ui/api/attempts/N   the request attempt N sent (eventgrid.AttemptRequest)
//	GET /_emulator/ui/events           the Server-Sent Events stream
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		if r.URL.Path+"/" == Prefix {
			http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
			return
		}
		writeError(w, http.StatusNotFound, "NotFound", "no dashboard route for "+r.URL.Path)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" is not allowed here; use GET")
		return
	}
	// The page runs only its own script and talks only to its own origin.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	switch {
	case rest == "events" && r.Method == http.MethodGet:
		d.stream(w, r)
	case rest == "events":
		w.Header().Set("Allow", "GET")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the event stream answers GET only")
	case rest == "api/view":
		writeJSON(w, d.build())
	case strings.HasPrefix(rest, "api/attempts/"):
		d.serveAttempt(w, strings.TrimPrefix(rest, "api/attempts/"))
	case strings.HasPrefix(rest, "api/"):
		writeError(w, http.StatusNotFound, "NotFound", "no dashboard route for "+r.URL.Path)
	default:
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		w.Header().Set("Cache-Control", "no-cache")
		d.static.ServeHTTP(w, r2)
	}
}

func (d *Dashboard) serveAttempt(w http.ResponseWriter, id string) {
	seq, err := strconv.ParseInt(id, 10, 64)
	if err != nil || seq <= 0 {
		writeError(w, http.StatusBadRequest, "BadRequest", "attempt: use the attempt's seq, a positive integer")
		return
	}
	if d.src.AttemptRequest == nil {
		writeError(w, http.StatusNotFound, "NotFound", "no Event Grid engine")
		return
	}
	req, ok := d.src.AttemptRequest(seq)
	if !ok {
		writeError(w, http.StatusNotFound, "NotFound", "attempt "+id+" is not among the "+strconv.Itoa(eventgrid.RecentRequests)+" latest, whose requests are kept")
		return
	}
	writeJSON(w, req)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in the control plane's error shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	wire.Write(w, wire.ShapeControl, wire.Errorf(status, code, "%s", msg), "")
}
