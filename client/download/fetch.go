package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/acsemu/acsemu/client/jobs"
)

// FileResult reports one finished file.
type FileResult struct {
	// Name is the file's name in the output folder.
	Name string `json:"name"`
	Size int64  `json:"size"`
	ETag string `json:"etag,omitempty"`
	// Requests counts the GETs sent for the file, Resumed those that asked
	// for a Range, Restarts the times it started again from zero.
	Requests int `json:"requests"`
	Resumed  int `json:"resumed"`
	Restarts int `json:"restarts"`
}

// HTTPError is an unexpected answer from the service.
type HTTPError struct {
	Status int
	URL    string
	// Body is the start of the answer's body.
	Body string
	// Explanation is acsemu's X-Acsemu-Explanation header, when present.
	Explanation string
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("download: GET %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	if e.Explanation != "" {
		s += " (acsemu: " + e.Explanation + ")"
	}
	return s
}

// target is one file to fetch.
type target struct {
	url     *url.URL
	partial string                          // name of the partial file in the folder
	final   func(contentType string) string // name of the finished file
	max     int64
}

// fileState is a download in progress.
type fileState struct {
	f     *os.File
	have  int64        // bytes on disk
	rec   jobs.Partial // what they are bytes of
	ctype string
	res   FileResult
	pet   func() // resets the stall watchdog of the request in flight
	// unconfirmed is set when a body without a length ended: its bytes may
	// be all of the object or not, until a probe tells.
	unconfirmed bool
}

// step is the outcome of one request.
type step struct {
	done       bool
	err        error // nil and !done: go again at once (restart, short range)
	retryAfter time.Duration
	progress   bool
}

// fetch downloads t resumably: it continues a partial file it can trust,
// retries with backoff, and renames the finished file into place.
func (d *Downloader) fetch(ctx context.Context, t target) (FileResult, error) {
	f, err := d.root.OpenFile(t.partial, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return FileResult{}, fmt.Errorf("download: open %s: %w", t.partial, err)
	}
	s := &fileState{f: f}
	defer func() {
		if s.f != nil {
			s.f.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return FileResult{}, fmt.Errorf("download: %w", err)
	}
	s.have = fi.Size()
	rec, ok, err := d.opts.State.LoadPartial(t.partial)
	if err != nil {
		d.log.Warn("partial record unreadable", "file", t.partial, "err", err)
	}
	log := d.log.With("file", t.partial, "url", t.url.String())
	switch {
	case s.have == 0:
		s.rec = jobs.Partial{URL: t.url.String()}
	case !ok || rec.URL != t.url.String() || rec.Size >= 0 && s.have > rec.Size:
		log.Warn("partial file does not match its record: starting from zero", "bytes", s.have)
		if err := s.reset(t); err != nil {
			return FileResult{}, err
		}
	default:
		s.rec = rec
		log.Info("resuming partial file", "bytes", s.have, "size", rec.Size, "etag", rec.ETag)
	}
	if p := d.opts.Progress; p != nil {
		p.Begin(t.partial, s.rec.Size, s.have)
		defer func() { p.End(t.partial, err) }()
	}
	var res FileResult
	res, err = d.loop(ctx, t, s, log)
	if err != nil && (s.have == 0 || jobs.IsPermanent(err)) {
		// Nothing to resume (no byte, or a failure no retry cures): leave no
		// litter behind. Bytes of a retryable failure stay for the next run.
		s.f.Close()
		s.f = nil
		d.discard(t.partial, log)
	}
	return res, err
}

// discard removes a partial file and its record.
func (d *Downloader) discard(partial string, log *slog.Logger) {
	if err := d.root.Remove(partial); err != nil && !errors.Is(err, fs.ErrNotExist) {
		log.Warn("removing partial file", "err", err)
	}
	if err := d.opts.State.DeletePartial(partial); err != nil {
		log.Warn("forgetting partial record", "err", err)
	}
}

// Discard removes the partial files of a job that will not run again (it
// failed for good), so a failed job leaves nothing in the output folder.
func (d *Downloader) Discard(j jobs.Job) {
	if ValidateID(j.DocumentID) != nil {
		return // refused before any file was opened
	}
	for _, p := range partialNames(j) {
		d.discard(p, d.log.With("file", p))
	}
}

func (d *Downloader) loop(ctx context.Context, t target, s *fileState, log *slog.Logger) (FileResult, error) {
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			s.f.Sync()
			return s.res, err
		}
		st := d.attempt(ctx, t, s, log)
		switch {
		case st.done:
			return d.finish(t, s)
		case st.err == nil:
			if s.res.Restarts > MaxRestarts {
				return s.res, jobs.Permanent(fmt.Errorf("download: %s restarted %d times: the object keeps changing or the server answers Range wrongly", t.url, s.res.Restarts))
			}
			continue
		case jobs.IsPermanent(st.err), ctx.Err() != nil:
			s.f.Sync()
			return s.res, st.err
		}
		s.f.Sync() // keep what arrived: a retry resumes from it
		if st.progress {
			failures = 0
		}
		failures++
		if failures >= d.opts.MaxAttempts {
			return s.res, fmt.Errorf("download: giving up on %s after %d failed attempts in a row: %w", t.url, failures, st.err)
		}
		if st.retryAfter > d.opts.MaxRetryAfter {
			return s.res, fmt.Errorf("download: %s asks to retry after %v, longer than the %v allowed: %w", t.url, st.retryAfter, d.opts.MaxRetryAfter, st.err)
		}
		delay := d.backoff.Delay(failures, st.retryAfter)
		log.Warn("request failed; retrying", "err", st.err, "attempt", failures, "delay", delay, "retryAfter", st.retryAfter, "bytesOnDisk", s.have)
		if err := d.opts.Sleep(ctx, delay); err != nil {
			return s.res, err
		}
	}
}

// reset empties the partial file: the next request starts from zero.
func (s *fileState) reset(t target) error {
	if err := s.f.Truncate(0); err != nil {
		return fmt.Errorf("download: truncate %s: %w", t.partial, err)
	}
	s.have, s.rec, s.unconfirmed = 0, jobs.Partial{URL: t.url.String()}, false
	return nil
}

// restart resets the file after a response that cannot be resumed from.
func (d *Downloader) restart(t target, s *fileState, log *slog.Logger, why string) error {
	log.Warn("restarting the file from zero", "why", why, "bytesDiscarded", s.have)
	s.res.Restarts++
	return s.reset(t)
}

// finish syncs, renames the partial file into place and forgets its record.
func (d *Downloader) finish(t target, s *fileState) (FileResult, error) {
	if err := s.f.Sync(); err != nil {
		return s.res, fmt.Errorf("download: sync %s: %w", t.partial, err)
	}
	head := make([]byte, 12)
	n, _ := s.f.ReadAt(head, 0)
	ctype := sniffMedia(head[:n], s.ctype)
	if err := s.f.Close(); err != nil {
		return s.res, fmt.Errorf("download: close %s: %w", t.partial, err)
	}
	s.f = nil
	name := t.final(ctype)
	if err := d.root.Rename(t.partial, name); err != nil {
		return s.res, fmt.Errorf("download: rename %s: %w", t.partial, err)
	}
	if dir, err := d.root.Open("."); err == nil {
		dir.Sync() // make the rename durable; some file systems cannot sync a folder
		dir.Close()
	}
	if err := d.opts.State.DeletePartial(t.partial); err != nil {
		d.log.Warn("forgetting partial record", "file", t.partial, "err", err)
	}
	s.res.Name, s.res.Size, s.res.ETag = name, s.have, s.rec.ETag
	return s.res, nil
}

func strongETag(tag string) bool { return strings.HasPrefix(tag, `"`) && len(tag) >= 2 }

// parseContentRange reads "bytes a-b/total" (total may be "*": -1) or
// "bytes */total" (a = b = -1).
func parseContentRange(v string) (start, end, total int64, err error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return 0, 0, 0, fmt.Errorf("Content-Range %q is not in bytes", v)
	}
	rng, tot, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, 0, fmt.Errorf("Content-Range %q has no total", v)
	}
	total = -1
	if tot != "*" {
		if total, err = parseNum(tot); err != nil {
			return 0, 0, 0, fmt.Errorf("Content-Range %q: bad total", v)
		}
	}
	if rng == "*" {
		return -1, -1, total, nil
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, 0, fmt.Errorf("Content-Range %q: bad range", v)
	}
	if start, err = parseNum(a); err == nil {
		end, err = parseNum(b)
	}
	if err != nil || end < start || total >= 0 && end >= total {
		return 0, 0, 0, fmt.Errorf("Content-Range %q: bad range", v)
	}
	return start, end, total, nil
}

func parseNum(s string) (int64, error) {
	if s == "" || len(s) > 18 {
		return 0, errors.New("bad number")
	}
	var n int64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, errors.New("bad number")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// drain reads a little of an unused body so the connection can be reused,
// then closes it.
func drain(body io.ReadCloser) {
	io.CopyN(io.Discard, body, 64<<10)
	body.Close()
}
