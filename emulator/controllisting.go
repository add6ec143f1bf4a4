package emulator

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/wire"
)

// parseRequestFilter reads a journal filter from the query (the server side
// of api.RequestFilter.Values), refusing unknown parameters.
func parseRequestFilter(q url.Values) (api.RequestFilter, error) {
	if err := onlyParams(q, api.RequestFilterParams, waitParams...); err != nil {
		return api.RequestFilter{}, err
	}
	f := api.RequestFilter{Plane: q.Get("plane"), Target: q.Get("target"), Method: q.Get("method"),
		PathPrefix: q.Get("pathPrefix"), DocumentID: q.Get("documentId"), RangePrefix: q.Get("rangePrefix"),
		HasRange: q.Get("hasRange"), AuthOK: q.Get("authOk"), Fault: q.Get("fault")}
	for name, dst := range map[string]*int{"status": &f.Status, "limit": &f.Limit} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, wire.Errorf(http.StatusBadRequest, "BadRequest", "%s: not a non-negative integer: %s", name, v)
			}
			*dst = n
		}
	}
	if v := q.Get("afterId"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, wire.Errorf(http.StatusBadRequest, "BadRequest", "afterId: not a non-negative integer: %s", v)
		}
		f.AfterID = n
	}
	if f.Limit > api.MaxRequestsPage {
		return f, wire.Errorf(http.StatusBadRequest, "BadRequest", "limit: at most %d; leave it out to page through everything with afterId", api.MaxRequestsPage)
	}
	switch f.HasRange {
	case "", "yes", "no":
	default:
		return f, wire.Errorf(http.StatusBadRequest, "BadRequest", "hasRange: use yes or no")
	}
	switch f.AuthOK {
	case "", "true", "false":
	default:
		return f, wire.Errorf(http.StatusBadRequest, "BadRequest", "authOk: use true or false")
	}
	return f, nil
}

// listRequests answers the journal entries matching the filter; with ?wait=
// it first waits until at least ?count= (default 1) match.
func (p *ControlParts) listRequests(r *http.Request) (any, error) {
	f, err := parseRequestFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	var next int64 // the cursor of the page after the one answered, if any
	v, err := longPoll(r, func() []api.Entry {
		var page []api.Entry
		page, next = p.Journal.List(f)
		return page
	}, p.Journal.Changed)
	if err != nil || next == 0 {
		return v, err
	}
	return withHeader{header: http.Header{"Link": {journal.NextLink(r.URL, next)}}, body: v}, nil
}

// countRequests answers how many entries match; ?wait= waits for ?count=.
func (p *ControlParts) countRequests(r *http.Request) (any, error) {
	f, err := parseRequestFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	f.Limit = 0
	return awaitCount(r, func() (api.Count, int) { n := p.Journal.Count(f); return api.Count{Count: n}, n }, p.Journal.Changed)
}

// longPoll answers list(); with ?wait=DURATION (at most api.MaxWait) it
// waits until list() has at least ?count= items (default 1), the wait runs
// out or the client goes, and answers the list as it then is (a client that
// needs the count compares). changed is taken before each query, so an entry
// added between the query and the wait still wakes it.
func longPoll[T any](r *http.Request, list func() []T, changed func() <-chan struct{}) (any, error) {
	return awaitCount(r, func() ([]T, int) { items := list(); return items, len(items) }, changed)
}

// awaitCount is longPoll over any answer: get returns the answer and how
// many matching items it stands for. It waits with journal.Until, the loop
// behind Journal.Await, so the long poll and the in-process wait are one.
func awaitCount[T any](r *http.Request, get func() (T, int), changed func() <-chan struct{}) (any, error) {
	q := r.URL.Query()
	wait, err := queryDuration(r, "wait", api.MaxWait, "BadRequest")
	if err != nil {
		return nil, err
	}
	want := 1
	if v := q.Get("count"); v != "" {
		want, err = strconv.Atoi(v)
		if err != nil || want < 0 {
			return nil, wire.Errorf(http.StatusBadRequest, "BadRequest", "count: not a non-negative integer: %s", v)
		}
	}
	if wait == 0 {
		v, _ := get()
		return v, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	// The wait running out is an answer (fewer items than asked), not an error.
	v, _ := journal.Until(ctx, changed, get, want)
	return v, nil
}

// indexEntry is one line of GET /_emulator/.
type indexEntry struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Summary string `json:"summary"`
}

// index lists the routes, one line each: JSON unless the client prefers
// HTML (a browser), which gets a page.
func (p *ControlParts) index(r *http.Request) (any, error) {
	out := make([]indexEntry, 0, len(p.table))
	for _, rt := range p.table {
		path := api.Prefix + strings.TrimSuffix(rt.path, "{$}")
		out = append(out, indexEntry{Method: rt.method, Path: path, Summary: rt.summary})
	}
	if prefersHTML(r.Header.Get("Accept")) {
		var b strings.Builder
		if err := indexPage.Execute(&b, out); err != nil {
			return nil, err
		}
		return rawBody{contentType: "text/html; charset=utf-8", data: []byte(b.String())}, nil
	}
	return out, nil
}

// prefersHTML reports whether an Accept header ranks text/html above
// application/json (a browser's does; curl's */* does not).
func prefersHTML(accept string) bool {
	best := func(mt string) float64 {
		q := -1.0
		for part := range strings.SplitSeq(accept, ",") {
			fields := strings.Split(strings.TrimSpace(part), ";")
			if strings.TrimSpace(fields[0]) != mt {
				continue
			}
			v := 1.0
			for _, f := range fields[1:] {
				if k, val, ok := strings.Cut(strings.TrimSpace(f), "="); ok && k == "q" {
					if n, err := strconv.ParseFloat(val, 64); err == nil {
						v = n
					}
				}
			}
			q = max(q, v)
		}
		return q
	}
	h := best("text/html")
	return h > 0 && h > best("application/json")
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>acsemu control plane</title>
<style>body{font-family:sans-serif;margin:2em}td{padding:.2em .8em}code{font-size:1.05em}</style></head>
<body><h1>acsemu control plane</h1>
<p>JSON API; <code>curl</code> gets this list as JSON. Errors are <code>{"error":{"code","message"}}</code>.</p>
<table>{{range .}}<tr><td><code>{{.Method}}</code></td><td>{{if eq .Method "GET"}}<a href="{{.Path}}"><code>{{.Path}}</code></a>{{else}}<code>{{.Path}}</code>{{end}}</td><td>{{.Summary}}</td></tr>
{{end}}</table></body></html>
`))
