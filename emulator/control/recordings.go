package control

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/acsemu/acsemu/emulator/journal"
)

// Health checks that the emulator answers.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	return h, c.do(ctx, http.MethodGet, "health", nil, nil, &h)
}

// Config returns the emulator's effective configuration.
func (c *Client) Config(ctx context.Context) (Config, error) {
	var cfg Config
	return cfg, c.do(ctx, http.MethodGet, "config", nil, nil, &cfg)
}

// Reset forgets recordings, documents, subscriptions, faults and the journal.
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "reset", nil, nil, nil)
}

// CreateRecording creates a finished recording and (unless spec.NoEvent)
// publishes its RecordingFileStatusUpdated event.
func (c *Client) CreateRecording(ctx context.Context, spec RecordingSpec) (Recording, error) {
	var r Recording
	return r, c.do(ctx, http.MethodPost, "recordings", nil, spec, &r)
}

// Recording returns one recording.
func (c *Client) Recording(ctx context.Context, id string) (Recording, error) {
	var r Recording
	return r, c.do(ctx, http.MethodGet, "recordings/"+url.PathEscape(id), nil, nil, &r)
}

// WaitHashes returns the recording once the SHA-256 of every document's
// media and metadata is known (creating a recording hashes nothing; hashing
// a 1.5 GB chunk takes a few seconds).
func (c *Client) WaitHashes(ctx context.Context, id string) (Recording, error) {
	for {
		var r Recording
		if err := c.do(ctx, http.MethodGet, "recordings/"+url.PathEscape(id), waitHashes, nil, &r); err != nil {
			return r, err
		}
		pending := false
		for _, d := range r.Documents {
			pending = pending || d.HashPending
		}
		if !pending {
			return r, nil
		}
		// The server waits at most a minute per request: ask again.
	}
}

// WaitDocumentHash returns the document once its SHA-256 is known.
func (c *Client) WaitDocumentHash(ctx context.Context, id string) (Document, error) {
	for {
		var d Document
		if err := c.do(ctx, http.MethodGet, "documents/"+url.PathEscape(id), waitHashes, nil, &d); err != nil || !d.HashPending {
			return d, err
		}
	}
}

// waitHashes asks the control plane to answer once the hashes are known.
var waitHashes = url.Values{"waitHashes": {"true"}}

// Recordings lists recordings.
func (c *Client) Recordings(ctx context.Context) ([]Recording, error) {
	var rs []Recording
	return rs, c.do(ctx, http.MethodGet, "recordings", nil, nil, &rs)
}

// Document returns one document, with its size and SHA-256.
func (c *Client) Document(ctx context.Context, id string) (Document, error) {
	var d Document
	return d, c.do(ctx, http.MethodGet, "documents/"+url.PathEscape(id), nil, nil, &d)
}

// UploadDocument replaces (or creates) a document's media with data.
// kind is "audio" or "video"; mimeType may be empty to sniff it.
func (c *Client) UploadDocument(ctx context.Context, id string, data []byte, mimeType, kind string) (Document, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if mimeType != "" {
		q.Set("contentType", mimeType)
	}
	var d Document
	return d, c.do(ctx, http.MethodPut, "documents/"+url.PathEscape(id), q, bytes.NewReader(data), &d)
}

// RequestFilter selects journal entries; it mirrors journal.Filter.
type RequestFilter = journal.Filter

// ParseRequestFilter reads a filter from query parameters (the server side of journal.Filter.Values).
func ParseRequestFilter(q url.Values) (RequestFilter, error) {
	f := RequestFilter{Plane: q.Get("plane"), Target: q.Get("target"), Method: q.Get("method"),
		PathPrefix: q.Get("pathPrefix"), DocumentID: q.Get("documentId"), RangePrefix: q.Get("rangePrefix"),
		HasRange: q.Get("hasRange"), AuthOK: q.Get("authOk"), Fault: q.Get("fault")}
	ints := []struct {
		name string
		dst  *int
	}{{"status", &f.Status}, {"limit", &f.Limit}}
	for _, it := range ints {
		if v := q.Get(it.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, &APIError{StatusCode: http.StatusBadRequest, Code: "BadRequest", Message: it.name + ": not a non-negative integer: " + v}
			}
			*it.dst = n
		}
	}
	if v := q.Get("afterId"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, &APIError{StatusCode: http.StatusBadRequest, Code: "BadRequest", Message: "afterId: not a non-negative integer: " + v}
		}
		f.AfterID = n
	}
	if f.Limit > journal.MaxPage {
		return f, &APIError{StatusCode: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf("limit: at most %d; leave it out to page through everything with afterId", journal.MaxPage)}
	}
	switch f.HasRange {
	case "", "yes", "no":
	default:
		return f, &APIError{StatusCode: http.StatusBadRequest, Code: "BadRequest", Message: "hasRange: use yes or no"}
	}
	switch f.AuthOK {
	case "", "true", "false":
	default:
		return f, &APIError{StatusCode: http.StatusBadRequest, Code: "BadRequest", Message: "authOk: use true or false"}
	}
	return f, nil
}

// Requests returns the journal entries matching f, oldest first.
// Without f.Limit it follows the pages (journal.MaxPage entries each) to the
// end; with it, it returns the newest f.Limit matches in one request.
func (c *Client) Requests(ctx context.Context, f RequestFilter) ([]journal.Entry, error) {
	var all []journal.Entry
	for {
		var page []journal.Entry
		if err := c.do(ctx, http.MethodGet, "requests", f.Values(), nil, &page); err != nil {
			return all, err
		}
		all = append(all, page...)
		if f.Limit > 0 || len(page) < journal.MaxPage {
			return all, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// CountRequests counts the journal entries matching f.
func (c *Client) CountRequests(ctx context.Context, f RequestFilter) (int, error) {
	var n Count
	return n.Count, c.do(ctx, http.MethodGet, "requests/count", f.Values(), nil, &n)
}

// CACertificate returns the PEM of the emulator's local CA (TLS mode only).
func (c *Client) CACertificate(ctx context.Context) ([]byte, error) {
	var pem []byte
	return pem, c.do(ctx, http.MethodGet, "ca.pem", nil, nil, &pem)
}
