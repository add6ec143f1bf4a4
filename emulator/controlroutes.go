package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/wire"
)

// ControlParts are what the control plane routes to. A nil part has no
// routes, so a test can serve one engine alone (NewControlHandler).
type ControlParts struct {
	// Server answers health, config, reset, recordings, documents and ca.pem.
	Server  *Server
	Events  *eventgrid.Engine
	Faults  *faults.Injector
	Calling *calling.Service
	// Journal answers requests and records every control call but its own reads.
	Journal *journal.Journal
	// Clock dates the journal entries (nil: the wall clock).
	Clock clock.Clock
	// Dashboard serves the live UI under ui/ (package dashboard).
	Dashboard http.Handler

	table []route // what the index lists
}

// route is one control-plane route: METHOD and a path under api.Prefix (Go
// 1.22 ServeMux wildcards), a one-line summary for the index, the status of
// a success, and the handler. A handler returns a value (encoded as JSON; a
// rawBody is sent as is; nil sends no body) or an error (sent by wire.Write
// in the control shape). mount, when set, serves the path's subtree itself
// (a UI, a stream) instead of handle.
type route struct {
	method, path, summary string
	status                int
	handle                func(*http.Request) (any, error)
	mount                 http.Handler
}

// routes is the control plane: every route, one line each. A branch adds a
// route by adding a line here (and its handler beside its part's other
// handlers below or in the part's package).
func (p *ControlParts) routes() []route {
	var rs []route
	add := func(on bool, more ...route) {
		if on {
			rs = append(rs, more...)
		}
	}
	s, ev, inj, call := p.Server, p.Events, p.Faults, p.Calling
	add(true,
		route{"GET", "{$}", "this index (JSON; an HTML page for browsers)", 200, p.index, nil},
		route{"GET", "health", "liveness: {\"status\":\"ok\"}", 200, health, nil})
	add(s != nil,
		route{"GET", "config", "the effective configuration (URLs, connection string, seed, TLS)", 200, s.getConfig, nil},
		route{"POST", "reset", "forget recordings, subscriptions, faults, calls and the journal", 204, s.reset, nil},
		route{"GET", "recordings", "list recordings with their documents", 200, s.listRecordings, nil},
		route{"POST", "recordings", "create a finished recording (RecordingSpec) and publish its event", 201, s.createRecording, nil},
		route{"GET", "recordings/{id}", "one recording", 200, s.getRecording, nil},
		route{"GET", "documents", "list documents (chunks) with size and SHA-256", 200, s.listDocuments, nil},
		route{"GET", "documents/{id}", "one document", 200, s.getDocument, nil},
		route{"PUT", "documents/{id}", "upload media for a document (?contentType=&kind=audio|video)", 200, s.uploadDocument, nil},
		route{"GET", "ca.pem", "the local CA certificate (TLS mode)", 200, s.caPEM, nil},
		route{"GET", "tokens/faults", "token fault rules (callback and Entra delivery tokens)", 200, s.tokenFaults, nil},
		route{"POST", "tokens/faults", "spoil the next tokens ({\"fault\":\"expired|wrong-signature|wrong-audience|missing\",\"for\":\"callback|delivery\",\"count\":N})", 201, s.addTokenFault, nil},
		route{"DELETE", "tokens/faults", "clear the token fault rules", 204, s.clearTokenFaults, nil})
	add(p.Journal != nil,
		route{"GET", "requests", "journaled requests (?" + strings.Join(api.RequestFilterParams, "=&") + "=&wait=&count=)", 200, p.listRequests, nil},
		route{"GET", "requests/count", "count journaled requests (same filters)", 200, p.countRequests, nil})
	add(ev != nil,
		route{"POST", "subscriptions", "create an Event Grid subscription (runs the validation handshake)", 201, createSubscription(ev), nil},
		route{"GET", "subscriptions", "list subscriptions", 200, func(*http.Request) (any, error) { return ev.Subscriptions(), nil }, nil},
		route{"GET", "subscriptions/{name}", "one subscription", 200, func(r *http.Request) (any, error) { return ev.Subscription(r.PathValue("name")) }, nil},
		route{"PUT", "subscriptions/{name}", "replace a subscription's settings (validates again)", 200, updateSubscription(ev), nil},
		route{"DELETE", "subscriptions/{name}", "delete a subscription and its queue", 204, func(r *http.Request) (any, error) { return nil, ev.DeleteSubscription(r.PathValue("name")) }, nil},
		route{"GET", "subscriptions/{name}/validate", "the validationUrl (?code=)", 200, completeValidation(ev), nil},
		route{"POST", "subscriptions/{name}/validate", "the validationUrl, for the CloudEvents callback", 200, completeValidation(ev), nil},
		route{"POST", "subscriptions/{name}/drain", "wait until the queue is empty (?timeout=5s; 408 if not)", 200, drain(ev), nil},
		route{"POST", "events", "publish Event Grid or CloudEvents JSON", 200, publish(ev), nil},
		route{"GET", "deliveries", "delivery attempts (?subscription=&outcome=&eventId=&wait=&count=)", 200, p.listDeliveries, nil},
		route{"GET", "deadletters", "dead-lettered events (?subscription=)", 200, deadLetters(ev), nil})
	add(inj != nil,
		route{"GET", "faults", "fault rules with their counters", 200, func(*http.Request) (any, error) { return inj.Rules(), nil }, nil},
		route{"POST", "faults", "add a fault rule, or a list atomically", 201, addFaults(inj), nil},
		route{"DELETE", "faults", "remove every fault rule", 204, func(*http.Request) (any, error) { inj.Clear(); return nil, nil }, nil},
		route{"GET", "faults/violations", "Retry-After violations", 200, func(*http.Request) (any, error) { return inj.Violations(), nil }, nil},
		route{"GET", "faults/fired", "fired faults (?after=SEQ)", 200, firedFaults(inj), nil},
		route{"GET", "faults/{id}", "one fault rule", 200, getFault(inj), nil},
		route{"DELETE", "faults/{id}", "remove a fault rule", 204, deleteFault(inj), nil})
	add(p.Dashboard != nil,
		route{"GET", "ui/", "the live dashboard, a web page (ui/events is its event stream)", 200, nil, p.Dashboard})
	add(call != nil,
		route{"GET", "clock", "the recording clock", 200, func(*http.Request) (any, error) { return call.ClockState(), nil }, nil},
		route{"POST", "clock", "move the recording clock forward ({\"advance\":\"2h\"})", 200, advanceClock(call), nil},
		route{"GET", "calls/settings", "Call Automation settings (activationDelay, activeOnStart)", 200, func(*http.Request) (any, error) { return call.Settings(), nil }, nil},
		route{"PUT", "calls/settings", "change them for recordings started from now on ({\"activationDelay\":\"2s\"})", 200, putCallSettings(call), nil},
		route{"GET", "calls/recordings", "Call Automation recordings", 200, func(*http.Request) (any, error) { return call.Recordings(), nil }, nil},
		route{"GET", "calls/recordings/{id}", "one Call Automation recording (?wait=10s until processed)", 200, callRecording(call), nil})
	return rs
}

// NewControlHandler serves the control plane of parts under api.Prefix. The
// mux is built once; each request goes through the journal middleware, then
// the mux, then the adapter (respond).
func NewControlHandler(parts ControlParts) http.Handler {
	p := &parts
	if p.Clock == nil {
		p.Clock = clock.Real{}
	}
	mux := http.NewServeMux()
	rs := p.routes()
	registered := map[string]int{} // pattern -> position, to name allowed methods in table order
	for i, rt := range rs {
		registered[rt.method+" "+api.Prefix+rt.path] = i
		if rt.mount != nil {
			mux.Handle(rt.method+" "+api.Prefix+rt.path, rt.mount)
			continue
		}
		mux.Handle(rt.method+" "+api.Prefix+rt.path, p.adapt(rt))
	}
	// One fallback answers what no route takes: 405 naming the methods the
	// path has, or 404. It is the least specific pattern, so routes win.
	mux.HandleFunc(api.Prefix, func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != api.Prefix && pattern != "" {
				allowed = append(allowed, m)
			}
		}
		slices.SortStableFunc(allowed, func(a, b string) int {
			pa, pb := r.Clone(r.Context()), r.Clone(r.Context())
			pa.Method, pb.Method = a, b
			_, patA := mux.Handler(pa)
			_, patB := mux.Handler(pb)
			return registered[patA] - registered[patB]
		})
		err := wire.Errorf(http.StatusNotFound, "NotFound", "no control route %s %s; GET %s lists them", r.Method, r.URL.Path, api.Prefix)
		if len(allowed) > 0 {
			err = wire.Errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here; use %s", r.Method, strings.Join(allowed, " or "))
			w.Header().Set("Allow", strings.Join(allowed, ", "))
		}
		p.writeError(w, r, err)
	})
	p.table = rs
	return p.journaled(mux)
}

// controlEntryKey carries the request's journal entry to the adapter, which
// records the error text.
type controlEntryKey struct{}

// journaled records every control call in the journal, except reads of the
// journal itself (polling would drown the entries it looks for), and bounds
// how long a request body may take to arrive.
func (p *ControlParts) journaled(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(controlReadTimeout))
		// Nor is the dashboard journaled: it reads the journal live.
		if p.Journal == nil || strings.HasPrefix(r.URL.Path, api.Prefix+"requests") || strings.HasPrefix(r.URL.Path, api.Prefix+"ui/") {
			next.ServeHTTP(w, r)
			return
		}
		start, began := p.Clock.Now(), time.Now() // dated by the emulator clock, timed by the wall clock
		sw := &statusWriter{ResponseWriter: w}
		entry := &journal.Entry{Time: start, Plane: journal.PlaneControl, Target: journal.TargetControl,
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, RemoteAddr: r.RemoteAddr}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), controlEntryKey{}, entry)))
		entry.Status, entry.BytesSent, entry.Duration = sw.code(), sw.bytes, time.Since(began)
		p.Journal.Add(*entry)
	})
}

// rawBody is a handler's answer sent as is (not JSON).
type rawBody struct {
	contentType string
	data        []byte
}

// withHeader is a handler's JSON answer with extra response headers (the
// journal listing's Link to its next page).
type withHeader struct {
	header http.Header
	body   any
}

// adapt turns a route's handler into an http.Handler: the value as indented
// JSON with the route's status, or the error in the control shape.
func (p *ControlParts) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := rt.handle(r)
		if err != nil {
			p.writeError(w, r, err)
			return
		}
		switch body := v.(type) {
		case nil:
			w.WriteHeader(rt.status)
		case withHeader:
			for k, vs := range body.header {
				w.Header()[k] = vs
			}
			wire.WriteJSON(w, rt.status, body.body, true)
		case rawBody:
			w.Header().Set("Content-Type", body.contentType)
			w.WriteHeader(rt.status)
			_, _ = w.Write(body.data)
		default:
			wire.WriteJSON(w, rt.status, body, true)
		}
	})
}

// writeError is the control plane's one error writer: a context that ended
// (a drain or a long poll that ran out) is a 408; everything goes out through
// wire.Write and into the journal entry.
func (p *ControlParts) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var we *wire.Error
	if !errors.As(err, &we) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		err = wire.Errorf(http.StatusRequestTimeout, "RequestTimeout", "%v", err)
	}
	if e, ok := r.Context().Value(controlEntryKey{}).(*journal.Entry); ok {
		e.Error = err.Error()
	}
	wire.Write(w, wire.ShapeControl, err, "")
}

// decodeJSON reads one JSON value of at most limit bytes into v, refusing
// unknown fields (a misspelt setting must not silently take its default).
// code is the error code of a refused body.
func decodeJSON(r *http.Request, v any, limit int64, code string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return wire.Errorf(http.StatusBadRequest, code, "cannot read the body: %v", err)
	}
	if int64(len(body)) > limit {
		return wire.Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "the body may be at most %d bytes", limit)
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return wire.Errorf(http.StatusBadRequest, code, "invalid JSON body: %v", err)
	}
	if dec.More() {
		return wire.Errorf(http.StatusBadRequest, code, "invalid JSON body: unexpected data after the JSON value")
	}
	return nil
}

// readBody reads a raw body, at most limit+1 bytes: the part that takes it
// refuses one over limit in its own words.
func readBody(r *http.Request, limit int64, code string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, wire.Errorf(http.StatusBadRequest, code, "cannot read the body: %v", err)
	}
	return body, nil
}

// queryDuration reads a duration query parameter within (0, limit]; "" is 0.
func queryDuration(r *http.Request, name string, limit time.Duration, code string) (time.Duration, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > limit {
		return 0, wire.Errorf(http.StatusBadRequest, code, "%s: must be a Go duration between 0 and %v, such as 5s (got %q)", name, limit, v)
	}
	return d, nil
}

func health(*http.Request) (any, error) { return api.Health{Status: "ok"}, nil }
