// Package download is the reference client's recording downloader: it fetches
// the media and metadata of every recording chunk with HMAC-signed GETs and
// survives what breaks downloads in production.
//
//   - Bounded retries with exponential backoff and seeded jitter, never
//     sooner than the server's Retry-After (seconds or an HTTP date).
//   - Resumption with Range: bytes=<bytes on disk>- and If-Range with the
//     strong ETag; a 206 must start exactly there and keep the total size and
//     ETag, otherwise the file restarts cleanly from zero. A server that
//     ignores Range (200) restarts the file rather than appending to it, and a
//     body shorter than its Content-Length is a failure, not a finished file.
//     A body without a length is never taken as complete: a probe for the
//     bytes after it must confirm the size (416) or bring the rest (206).
//   - A file that failed for good (a permanent error, or a job out of
//     attempts) leaves no partial file behind; a retryable failure keeps its
//     bytes for the next run.
//   - Bytes go to <name>.partial, are synced, then renamed atomically. What
//     the partial holds (URL, ETag, size) is kept in the job store, so a new
//     process resumes it after a crash.
//   - Only the endpoint's host and an explicit allow-list are ever contacted
//     (see Policy), redirects are not followed, document ids are validated
//     (see ValidateID) and every file is opened through an os.Root on the
//     output folder, so nothing can be written outside it.
//
// Storage locations on another host than the endpoint are signed like the
// Call Automation SDKs sign them: for the endpoint's host, sent in x-ms-host.
//
// Runner drains a jobs.Store with a bounded number of workers.
package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
)

// Defaults of Options.
const (
	DefaultMaxAttempts     = 6
	DefaultBaseDelay       = 500 * time.Millisecond
	DefaultMaxDelay        = 30 * time.Second
	DefaultMaxRetryAfter   = 10 * time.Minute
	DefaultMaxSize         = 4 << 30 // a chunk is at most 1.5 GB
	DefaultMaxMetadataSize = 16 << 20
	DefaultStallTimeout    = time.Minute
	// MaxRestarts bounds how often one file starts again from zero because
	// the object changed or the server answered a resume wrongly.
	MaxRestarts = 4
)

// PartialState keeps partial-file records across processes; *jobs.Store is one.
type PartialState interface {
	SavePartial(name string, p jobs.Partial) error
	LoadPartial(name string) (jobs.Partial, bool, error)
	DeletePartial(name string) error
}

// Progress hears about bytes as they reach the disk. Calls for different files
// may come from different goroutines.
type Progress interface {
	// Begin starts a file of total bytes (-1 if unknown) of which done are on disk.
	Begin(name string, total, done int64)
	// Add reports n more bytes on disk.
	Add(name string, n int64)
	// End finishes a file (err nil on success).
	End(name string, err error)
}

// Options configure New. Zero values mean the defaults.
type Options struct {
	// Dir is the output folder; it must exist.
	Dir string
	// AllowHosts are the hosts besides the endpoint's that locations may
	// point at (see NewPolicy), for example "*.asm.skype.com".
	AllowHosts []string
	// Transport sends the signed requests; nil means a clone of
	// http.DefaultTransport. Tests wrap it to inject faults.
	Transport http.RoundTripper
	// State keeps partial-file records (a *jobs.Store). Nil keeps them in
	// memory: a partial file left by another process is then restarted.
	State PartialState
	// MaxAttempts bounds consecutive failed requests that brought no new
	// bytes; a request that brings bytes resets the count.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the exponential backoff.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After obeyed; longer ones fail the file.
	MaxRetryAfter time.Duration
	// Seed seeds the jitter.
	Seed int64
	// Clock dates signatures and reads Retry-After dates; nil is the wall clock.
	Clock clock.Clock
	// Sleep waits between retries; nil waits on Clock.
	Sleep SleepFunc
	// StallTimeout ends a request that receives no byte (headers or body)
	// for this long, so a hung connection is retried instead of waited on
	// forever (default DefaultStallTimeout; wall-clock time).
	StallTimeout time.Duration
	// MaxSize and MaxMetadataSize bound a media file and a metadata document.
	MaxSize, MaxMetadataSize int64
	// DateHeader signs the legacy Date header instead of x-ms-date.
	DateHeader bool
	// DeleteAfterDownload deletes each document from the service (its
	// deleteLocation) once its files are safely on disk.
	DeleteAfterDownload bool
	// Logger gets structured logs; nil discards them.
	Logger *slog.Logger
	// Progress, if set, hears about every file's bytes.
	Progress Progress
}

// Downloader downloads recording documents into a folder. It is safe for
// concurrent use.
type Downloader struct {
	opts     Options
	cs       signer.ConnectionString
	policy   *Policy
	root     *os.Root
	base     http.RoundTripper
	ownsBase bool
	direct   *http.Client // signs the documented scheme, for the endpoint's host
	storage  *http.Client // signs for the endpoint via x-ms-host, for other hosts
	backoff  *Backoff
	log      *slog.Logger
}

// New returns a Downloader for the resource cs names.
func New(cs signer.ConnectionString, opts Options) (*Downloader, error) {
	if opts.Dir == "" {
		return nil, errors.New("download: no output folder")
	}
	policy, err := NewPolicy(cs.Endpoint, opts.AllowHosts)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("download: output folder: %w", err)
	}
	d := &Downloader{opts: opts, cs: cs, policy: policy, root: root, base: opts.Transport}
	d.setDefaults()
	if d.base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		d.base, d.ownsBase = t, true
	}
	sign := []signer.Option{signer.WithBase(d.base), signer.WithClock(d.opts.Clock), signer.WithAllowedHosts(policy.Allowed)}
	if opts.DateHeader {
		sign = append(sign, signer.WithDateHeader())
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	d.direct = &http.Client{Transport: signer.New(cs, sign...), CheckRedirect: noRedirect}
	sign = append(sign, signer.WithACSHost(cs.Endpoint.Host))
	d.storage = &http.Client{Transport: signer.New(cs, sign...), CheckRedirect: noRedirect}
	return d, nil
}

func (d *Downloader) setDefaults() {
	o := &d.opts
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = DefaultBaseDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxMetadataSize <= 0 {
		o.MaxMetadataSize = DefaultMaxMetadataSize
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Sleep == nil {
		o.Sleep = ClockSleep(o.Clock)
	}
	if o.State == nil {
		o.State = newMemState()
	}
	d.log = o.Logger
	if d.log == nil {
		d.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	d.backoff = NewBackoff(o.BaseDelay, o.MaxDelay, o.MaxRetryAfter, o.Seed)
}

// Policy is the downloader's host policy.
func (d *Downloader) Policy() *Policy { return d.policy }

// Close releases the output folder and idle connections.
func (d *Downloader) Close() error {
	if d.ownsBase {
		d.base.(*http.Transport).CloseIdleConnections()
	}
	return d.root.Close()
}

// client picks the signing scheme for u: the documented one on the endpoint's
// host, the x-ms-host one elsewhere.
func (d *Downloader) client(u string) *http.Client {
	if h, err := hostOf(u); err == nil && h == d.policy.EndpointHost() {
		return d.direct
	}
	return d.storage
}

// do sends a GET built by the caller; ctx cancels it.
func (d *Downloader) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	return d.client(req.URL.String()).Do(req.WithContext(ctx))
}
