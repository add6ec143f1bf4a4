package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/client/jobs"
)

// attempt sends one GET for the rest of the file and writes what comes back.
func (d *Downloader) attempt(parent context.Context, t target, s *fileState, log *slog.Logger) step {
	// A watchdog cancels the request when no byte comes for StallTimeout;
	// copy pets it.
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	dog := time.AfterFunc(d.opts.StallTimeout, func() { cancel(errStalled) })
	defer dog.Stop()
	s.pet = func() { dog.Reset(d.opts.StallTimeout) }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url.String(), nil)
	if err != nil {
		return step{err: jobs.Permanent(err)}
	}
	// A probe (s.unconfirmed) asks for the bytes after those on disk even at
	// zero: the answer confirms the length (416) or brings the rest (206).
	resuming := s.have > 0 || s.unconfirmed
	if resuming {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", s.have))
		if strongETag(s.rec.ETag) {
			// A changed object then answers 200 with all of itself, not a
			// 206 of bytes that do not fit the ones on disk.
			req.Header.Set("If-Range", s.rec.ETag)
		}
		s.res.Resumed++
	}
	s.res.Requests++
	resp, err := d.do(ctx, req)
	if err != nil {
		if parent.Err() != nil {
			return step{err: parent.Err()}
		}
		if context.Cause(ctx) == errStalled {
			err = errStalled
		}
		return step{err: fmt.Errorf("download: GET %s: %w", t.url, err)}
	}
	defer drain(resp.Body)
	switch resp.StatusCode {
	case http.StatusOK:
		if resuming {
			if err := d.restart(t, s, log, "the server answered 200 to a Range request (Range ignored, or If-Range did not match): the body is the whole object"); err != nil {
				return step{err: err}
			}
		}
		return d.receive(resp, t, s, resp.ContentLength, resp.ContentLength)
	case http.StatusPartialContent:
		return d.partial(resp, t, s, log)
	case http.StatusRequestedRangeNotSatisfiable:
		_, _, total, _ := parseContentRange(resp.Header.Get("Content-Range"))
		if resuming && total == s.have && (s.rec.Size == s.have || s.unconfirmed) {
			// Complete: before a crash, or as the probe of a body without a length confirms.
			s.rec.Size, s.unconfirmed = total, false
			return step{done: true}
		}
		if err := d.restart(t, s, log, fmt.Sprintf("416 for bytes=%d- (Content-Range %q)", s.have, resp.Header.Get("Content-Range"))); err != nil {
			return step{err: err}
		}
		return step{}
	}
	e := &HTTPError{Status: resp.StatusCode, URL: t.url.String(), Explanation: resp.Header.Get("X-Acsemu-Explanation")}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	e.Body = strings.TrimSpace(strings.ToValidUTF8(string(snippet), "?"))
	if !retryable(resp.StatusCode) {
		return step{err: jobs.Permanent(e)}
	}
	ra, _ := ParseRetryAfter(resp.Header, d.opts.Clock.Now())
	return step{err: e, retryAfter: ra}
}

// partial checks a 206 against the bytes on disk before writing it.
func (d *Downloader) partial(resp *http.Response, t target, s *fileState, log *slog.Logger) step {
	cr := resp.Header.Get("Content-Range")
	start, end, total, err := parseContentRange(cr)
	etag := resp.Header.Get("ETag")
	why := ""
	switch {
	case err != nil:
		why = err.Error()
	case start != s.have:
		why = fmt.Sprintf("Content-Range %q does not start at the %d bytes on disk", cr, s.have)
	case total < 0:
		why = fmt.Sprintf("Content-Range %q has no total size", cr)
	case s.have > 0 && s.rec.Size >= 0 && total != s.rec.Size:
		why = fmt.Sprintf("the total size changed from %d to %d", s.rec.Size, total)
	case s.have > 0 && s.rec.ETag != etag:
		why = fmt.Sprintf("the ETag changed from %s to %s", s.rec.ETag, etag)
	case resp.ContentLength >= 0 && resp.ContentLength != end-start+1:
		why = fmt.Sprintf("Content-Length %d does not fit Content-Range %q", resp.ContentLength, cr)
	}
	if why != "" {
		if err := d.restart(t, s, log, why); err != nil {
			return step{err: err}
		}
		return step{}
	}
	return d.receive(resp, t, s, end-start+1, total)
}

var errStalled = errors.New("no data received for the stall timeout")

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// receive writes the body at the end of the file: expect bytes (-1 unknown)
// of an object of total bytes (-1 unknown).
func (d *Downloader) receive(resp *http.Response, t target, s *fileState, expect, total int64) step {
	if total > t.max || expect > t.max {
		return step{err: jobs.Permanent(fmt.Errorf("download: %s is %d bytes, more than the %d allowed", t.url, max(total, expect), t.max))}
	}
	etag := resp.Header.Get("ETag")
	if s.have == 0 || s.rec.ETag != etag || s.rec.Size != total {
		s.rec = jobs.Partial{URL: t.url.String(), ETag: etag, Size: total}
		// Recorded before the first byte is written: after a crash, the
		// bytes on disk are never trusted without it.
		if err := d.opts.State.SavePartial(t.partial, s.rec); err != nil {
			return step{err: fmt.Errorf("download: recording partial %s: %w", t.partial, err)}
		}
	}
	s.ctype = resp.Header.Get("Content-Type")
	limit := expect
	if limit < 0 {
		limit = t.max - s.have + 1
	}
	// Ask the kernel to start writing every few MiB, so the final fsync
	// does not wait for the whole file (Linux; a no-op elsewhere).
	at, hinted := s.have, s.have
	wrote := func(n int) {
		s.pet()
		if at += int64(n); at-hinted >= writebackEvery {
			writeback(s.f, hinted, at-hinted)
			hinted = at
		}
	}
	n, err := d.copy(io.NewOffsetWriter(s.f, s.have), io.LimitReader(resp.Body, limit), t.partial, wrote)
	s.have += n
	if err != nil && context.Cause(resp.Request.Context()) == errStalled {
		err = errStalled
	}
	switch {
	case err != nil:
		return step{err: fmt.Errorf("download: %s: body broke after %d bytes: %w", t.url, n, err), progress: n > 0}
	case expect >= 0 && n < expect:
		return step{err: fmt.Errorf("download: %s: body truncated: %d of %d bytes", t.url, n, expect), progress: n > 0}
	case s.have > t.max:
		return step{err: jobs.Permanent(fmt.Errorf("download: %s is more than the %d bytes allowed", t.url, t.max))}
	case total < 0:
		// A body without a length ends where the connection does, whether
		// the object did or not: never call that complete. Probe with the
		// Range after it; the answer confirms the size or brings the rest.
		s.unconfirmed = true
		return step{progress: n > 0}
	case s.have == total:
		s.unconfirmed = false
		return step{done: true}
	case n == 0:
		return step{err: fmt.Errorf("download: %s: empty partial response", t.url)}
	}
	return step{progress: true} // a shorter range than asked: ask for the rest at once
}

// copy moves src to dst, telling Progress.
func (d *Downloader) copy(dst io.Writer, src io.Reader, name string, wrote func(int)) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var total int64
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			w, werr := dst.Write(buf[:n])
			total += int64(w)
			wrote(w)
			if d.opts.Progress != nil {
				d.opts.Progress.Add(name, int64(w))
			}
			if werr != nil {
				return total, werr
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}
