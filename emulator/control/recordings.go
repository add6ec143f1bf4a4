package control

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
)

// Health checks that the emulator answers.
func (c *Client) Health(ctx context.Context) (api.Health, error) {
	var h api.Health
	return h, c.do(ctx, http.MethodGet, "health", nil, nil, &h)
}

// Config returns the emulator's effective configuration.
func (c *Client) Config(ctx context.Context) (api.Config, error) {
	var cfg api.Config
	return cfg, c.do(ctx, http.MethodGet, "config", nil, nil, &cfg)
}

// Reset forgets recordings, documents, subscriptions, faults and the journal.
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "reset", nil, nil, nil)
}

// CreateRecording creates a finished recording and (unless spec.NoEvent)
// publishes its RecordingFileStatusUpdated event.
func (c *Client) CreateRecording(ctx context.Context, spec api.RecordingSpec) (api.Recording, error) {
	var r api.Recording
	return r, c.do(ctx, http.MethodPost, "recordings", nil, spec, &r)
}

// Recording returns one recording.
func (c *Client) Recording(ctx context.Context, id string) (api.Recording, error) {
	var r api.Recording
	return r, c.do(ctx, http.MethodGet, "recordings/"+url.PathEscape(id), nil, nil, &r)
}

// WaitHashes returns the recording once the SHA-256 of every document's
// media and metadata is known (creating a recording hashes nothing; hashing
// a 1.5 GB chunk takes a few seconds).
func (c *Client) WaitHashes(ctx context.Context, id string) (api.Recording, error) {
	for {
		var r api.Recording
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
func (c *Client) WaitDocumentHash(ctx context.Context, id string) (api.Document, error) {
	for {
		var d api.Document
		if err := c.do(ctx, http.MethodGet, "documents/"+url.PathEscape(id), waitHashes, nil, &d); err != nil || !d.HashPending {
			return d, err
		}
	}
}

// waitHashes asks the control plane to answer once the hashes are known.
var waitHashes = url.Values{"waitHashes": {"true"}}

// Recordings lists recordings.
func (c *Client) Recordings(ctx context.Context) ([]api.Recording, error) {
	var rs []api.Recording
	return rs, c.do(ctx, http.MethodGet, "recordings", nil, nil, &rs)
}

// Document returns one document, with its size and SHA-256.
func (c *Client) Document(ctx context.Context, id string) (api.Document, error) {
	var d api.Document
	return d, c.do(ctx, http.MethodGet, "documents/"+url.PathEscape(id), nil, nil, &d)
}

// UploadDocument replaces (or creates) a document's media with data.
// kind is "audio" or "video"; mimeType may be empty to sniff it.
func (c *Client) UploadDocument(ctx context.Context, id string, data []byte, mimeType, kind string) (api.Document, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if mimeType != "" {
		q.Set("contentType", mimeType)
	}
	var d api.Document
	return d, c.do(ctx, http.MethodPut, "documents/"+url.PathEscape(id), q, bytes.NewReader(data), &d)
}

// Requests returns the journal entries matching f, oldest first.
// Without f.Limit it follows the pages (api.MaxRequestsPage entries each) to
// the end; with it, it returns the newest f.Limit matches in one request.
func (c *Client) Requests(ctx context.Context, f api.RequestFilter) ([]api.Entry, error) {
	var all []api.Entry
	for {
		var page []api.Entry
		if err := c.do(ctx, http.MethodGet, "requests", f.Values(), nil, &page); err != nil {
			return all, err
		}
		all = append(all, page...)
		if f.Limit > 0 || len(page) < api.MaxRequestsPage {
			return all, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// CountRequests counts the journal entries matching f.
func (c *Client) CountRequests(ctx context.Context, f api.RequestFilter) (int, error) {
	var n api.Count
	return n.Count, c.do(ctx, http.MethodGet, "requests/count", f.Values(), nil, &n)
}

// CACertificate returns the PEM of the emulator's local CA (TLS mode only).
func (c *Client) CACertificate(ctx context.Context) ([]byte, error) {
	var pem []byte
	return pem, c.do(ctx, http.MethodGet, "ca.pem", nil, nil, &pem)
}

// WaitRequests waits up to wait (at most api.MaxWait, a minute) until at
// least n journal entries match f, and returns those that match then: fewer
// than n means the wait ran out. The emulator holds the request (a long
// poll on GET requests?wait=&count=), so nothing polls; it waits server-side
// with the loop of journal.Journal.Await. WaitRequests is for code that talks
// to an emulator over HTTP (another process, a container); a test holding the
// *emulator.Server uses emulatortest.AwaitRequests or Journal.Await directly.
func (c *Client) WaitRequests(ctx context.Context, f api.RequestFilter, n int, wait time.Duration) ([]api.Entry, error) {
	q := f.Values()
	q.Set("wait", min(wait, api.MaxWait).String())
	q.Set("count", strconv.Itoa(n))
	var es []api.Entry
	return es, c.do(ctx, http.MethodGet, "requests", q, nil, &es)
}
