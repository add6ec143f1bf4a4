package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/acsemu/acsemu/emulator/journal"
)

// The event stream (GET /_emulator/ui/events) sends:
//
//	event: snapshot  {"cursor":N,"requests":[...latest...],"view":{...}}   first, and after a resync
//	event: update    {"cursor":N,"requests":[...new...],"view":{...}|null} after changes; view is null when unchanged
//	event: resync    {"reason":"..."}                                      the client fell behind; a snapshot follows
//
// Each client's handler pulls: it waits for a change (the journal's Changed
// channel, taken before querying, or another source's), waits out
// MinInterval since it last looked, then reads the journal's entries after
// its cursor in place and copies them only if there are at most MaxBacklog.
// A client that reads slowly holds its handler in a write, so changes pile
// up in the journal, not in memory; when it comes back more than MaxBacklog
// behind it gets a resync and a fresh snapshot. So a client costs at most
// MaxBacklog entries and one view, however slow it is.
//
// What an open page costs is per update, not per request: between two
// looks the handler sleeps (the journal's Add only closes a channel, once,
// and allocates nothing while nobody waits), the shared model folds the new
// entries in one pass that copies only those it keeps (see model.fold), and
// a busy journal yields one resync per MinInterval, not one copy per
// request. BenchmarkDownloadWithDashboardOpen measures it.

// keepAlive is the comment an idle stream sends every Heartbeat.
var keepAlive = []byte(": keep-alive\n\n")

// maxSnapshotRequests is how many recent requests a snapshot carries.
const maxSnapshotRequests = 100

// RequestLine is a journal entry as the live request log shows it.
type RequestLine struct {
	ID          int64     `json:"id"`
	Time        time.Time `json:"time"`
	Plane       string    `json:"plane"`
	Target      string    `json:"target"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Status      int       `json:"status"`
	BytesSent   int64     `json:"bytesSent"`
	RangeAsked  string    `json:"rangeAsked,omitempty"`
	RangeServed string    `json:"rangeServed,omitempty"`
	AuthOK      *bool     `json:"authOk,omitempty"`
	Fault       string    `json:"fault,omitempty"`
	Error       string    `json:"error,omitempty"`
}

func lineOf(e *journal.Entry) RequestLine {
	l := RequestLine{ID: e.ID, Time: e.Time, Plane: e.Plane, Target: e.Target, Method: e.Method, Path: e.Path, Status: e.Status,
		BytesSent: e.BytesSent, RangeAsked: e.RangeAsked, RangeServed: e.RangeServed, Fault: e.Fault, Error: e.Error}
	if e.Auth != nil {
		ok := e.Auth.OK
		l.AuthOK = &ok
	}
	return l
}

type streamMessage struct {
	Cursor   int64         `json:"cursor"`
	Requests []RequestLine `json:"requests"`
	View     *View         `json:"view"`
}

// client is one open stream.
type client struct {
	d        *Dashboard
	w        http.ResponseWriter
	rc       *http.ResponseController
	cursor   int64
	lastView *View
	// lastLook is when the handler last read the sources.
	lastLook time.Time
}

func (d *Dashboard) stream(w http.ResponseWriter, r *http.Request) {
	select {
	case d.clients <- struct{}{}:
		defer func() { <-d.clients }()
	default:
		writeError(w, http.StatusServiceUnavailable, "TooManyClients", fmt.Sprintf("at most %d dashboard streams may be open; close a tab", d.opts.MaxClients))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	c := &client{d: d, w: w, rc: http.NewResponseController(w)}
	// A stream lives until the client leaves: lift the server's read deadline.
	_ = c.rc.SetReadDeadline(time.Time{})
	heartbeat := time.NewTicker(d.opts.Heartbeat)
	defer heartbeat.Stop()
	// cases: 0 the client left, 1 the dashboard closed, 2 heartbeat, 3.. the change signals.
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(r.Context().Done())},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(d.closed)},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(heartbeat.C)},
	}
	arm := func() { // take every change channel before querying
		cases = append(cases[:3], reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(d.src.Journal.Changed())})
		for _, f := range d.src.Changed {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(f())})
		}
	}
	arm()
	c.lastLook = time.Now()
	if err := c.snapshot(""); err != nil {
		return
	}
	for {
		switch chosen, _, _ := reflect.Select(cases); chosen {
		case 0, 1:
			return
		case 2:
			if err := c.write(keepAlive); err != nil {
				return
			}
			continue
		}
		// Coalesce: at most one look per MinInterval, whether the last one
		// sent something or not (a change that showed nothing must not let
		// the next wake look at once).
		if wait := d.opts.MinInterval - time.Since(c.lastLook); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-d.closed:
				t.Stop()
				return
			case <-t.C:
			}
		}
		arm()
		c.lastLook = time.Now()
		if err := c.update(); err != nil {
			return
		}
	}
}

// snapshot sends the whole state, after a resync event when reason is set.
func (c *client) snapshot(reason string) error {
	if reason != "" {
		if err := c.send("resync", map[string]string{"reason": reason}); err != nil {
			return err
		}
	}
	msg := streamMessage{Cursor: c.d.src.Journal.LastID(), Requests: []RequestLine{}}
	c.d.src.Journal.ReadAfter(0, func(es []journal.Entry) {
		msg.Requests = lines(newest(es, maxSnapshotRequests))
		if n := len(es); n > 0 {
			msg.Cursor = max(msg.Cursor, es[n-1].ID)
		}
	})
	v := c.d.build()
	msg.View = &v
	c.cursor, c.lastView = msg.Cursor, &v
	return c.send("snapshot", msg)
}

// update sends what changed since the last send.
func (c *client) update() error {
	msg := streamMessage{Cursor: c.cursor}
	behind := false
	c.d.src.Journal.ReadAfter(c.cursor, func(es []journal.Entry) {
		if behind = len(es) > c.d.opts.MaxBacklog; behind {
			return // counted, not copied: a snapshot follows
		}
		msg.Requests = lines(es)
		if n := len(es); n > 0 {
			msg.Cursor = es[n-1].ID
		}
	})
	if behind {
		return c.snapshot(fmt.Sprintf("more than %d requests arrived since the last update", c.d.opts.MaxBacklog))
	}
	v := c.d.build()
	if c.lastView == nil || !sameView(c.lastView, &v) {
		msg.View = &v
		c.lastView = &v
	}
	if len(msg.Requests) == 0 && msg.View == nil {
		return nil // a change that changed nothing shown (a journal read, say)
	}
	c.cursor = msg.Cursor
	return c.send("update", msg)
}

// sameView compares two views, ignoring the time they were built.
func sameView(a, b *View) bool {
	x, y := *a, *b
	x.Now, y.Now = time.Time{}, time.Time{}
	x.Calls.Clock, y.Calls.Clock = b.Calls.Clock, b.Calls.Clock
	return reflect.DeepEqual(x, y)
}

func lines(es []journal.Entry) []RequestLine {
	out := make([]RequestLine, len(es))
	for i := range es {
		out[i] = lineOf(&es[i])
	}
	return out
}

func (c *client) send(event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	// One buffer, written as is: an update is copied once, not once per step.
	b := make([]byte, 0, len(data)+len(event)+20)
	b = append(append(append(b, "event: "...), event...), "\ndata: "...)
	b = append(append(b, data...), "\n\n"...) // JSON has no raw newline, so one data line holds it
	return c.write(b)
}

// write sends b within WriteTimeout and flushes it.
func (c *client) write(b []byte) error {
	_ = c.rc.SetWriteDeadline(time.Now().Add(c.d.opts.WriteTimeout))
	if _, err := c.w.Write(b); err != nil {
		return err
	}
	return c.rc.Flush()
}
