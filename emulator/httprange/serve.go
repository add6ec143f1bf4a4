package httprange

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options tune Parse and Serve. The zero value behaves as RFC 9110 says.
type Options struct {
	// MaxRanges bounds the range-specs honoured in one header; 0 means
	// DefaultMaxRanges. A header with more is ignored (200).
	MaxRanges int
	// MalformedPolicy says how an invalid header is answered (default Ignore).
	MalformedPolicy MalformedPolicy
	// Boundary is the multipart/byteranges boundary. Empty, or not 1 to 70
	// characters of [A-Za-z0-9'+_.-], means one derived from the object and the ranges.
	Boundary string

	// Fault hooks, for the fault injector.

	// IgnoreRange serves the whole representation with 200 whatever Range asks.
	IgnoreRange bool
	// ContentRangeOverride, if set, gives the Content-Range sent for each served
	// range (single or multipart part) instead of the true one.
	ContentRangeOverride func(r Range, size int64) string
}

// Object is the representation Serve sends.
type Object struct {
	Content      io.ReaderAt // read concurrently: must be safe for parallel ReadAt
	Size         int64
	ContentType  string    // empty means application/octet-stream
	ETag         string    // strong and quoted, `"abc"`; empty sends none
	LastModified time.Time // zero sends none
}

// Decision records what Serve did, for the journal.
type Decision struct {
	Asked   string  // the Range header as received (several field lines joined by ", ")
	Outcome Outcome // what Parse made of Asked, even when it was not honoured
	Served  []Range // the ranges answered with 206; nil for any other status
	Status  int
	Note    string // why, when anything other than the plain reading of Asked happened
	// BytesSent counts body bytes written, multipart framing included.
	BytesSent int64
	// Err is the first error writing the body or reading Content; the body is
	// then short of its Content-Length, so the client sees a cut connection.
	Err error
}

// bufSize is large so that one write moves much data per system call; a
// loopback socket takes 256 KiB at once where io.Copy's 32 KiB needs 8 calls.
// Handing an io.SectionReader to the ResponseWriter's ReadFrom does not help:
// for anything but an *os.File it ends in that 32 KiB io.Copy, and measured as
// fast as http.ServeContent, about 1.2 times slower than this (BenchmarkServe).
const bufSize = 256 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// Serve answers a GET or HEAD for obj, honouring Range, If-Range, If-Match and
// If-None-Match, and returns what it did. It writes the whole response.
func Serve(w http.ResponseWriter, r *http.Request, obj Object, opts Options) Decision {
	d := Decision{Asked: strings.Join(r.Header.Values("Range"), ", ")}
	h := w.Header()
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		h.Set("Allow", "GET, HEAD")
		return d.bare(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
	case obj.Size < 0 || (obj.Size > 0 && obj.Content == nil):
		d.Err = fmt.Errorf("httprange: invalid object (size %d, content %v)", obj.Size, obj.Content != nil)
		return d.bare(w, http.StatusInternalServerError, d.Err.Error())
	}
	p, _ := opts.Parse(d.Asked, obj.Size)
	d.Outcome, d.Note = p.Outcome, p.Note
	if obj.ETag != "" {
		h.Set("ETag", obj.ETag)
	}
	if !obj.LastModified.IsZero() {
		h.Set("Last-Modified", obj.LastModified.UTC().Format(http.TimeFormat))
	}
	if status, note := preconditions(r, obj); status != 0 {
		return d.bare(w, status, note)
	}
	h.Set("Accept-Ranges", "bytes")
	ctype := obj.ContentType
	if ctype == "" {
		ctype = "application/octet-stream"
	}

	ignored := ""
	switch {
	case p.Status == http.StatusOK: // nothing to honour
	case r.Method == http.MethodHead:
		ignored = "Range ignored on HEAD (RFC 9110 §14.2 defines it for GET only)"
	case opts.IgnoreRange:
		ignored = "Range ignored (fault)"
	default:
		if ok, why := ifRange(r, obj); !ok {
			ignored = why + ", Range ignored (RFC 9110 §13.1.5)"
		}
	}
	if ignored != "" {
		d.Note = ignored + ", whole representation; parsed as " + p.Outcome.String()
		p.Status = http.StatusOK
	}

	switch p.Status {
	case http.StatusBadRequest:
		h.Del("ETag")
		h.Del("Last-Modified")
		h.Del("Accept-Ranges")
		h.Set("Content-Type", "text/html; charset=utf-8")
		return d.body(w, r, http.StatusBadRequest, badRangePage)
	case http.StatusRequestedRangeNotSatisfiable:
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(obj.Size, 10))
		return d.bare(w, p.Status, d.Note)
	case http.StatusPartialContent:
		d.Served = p.Ranges
		if len(p.Ranges) == 1 {
			rg := p.Ranges[0]
			h.Set("Content-Range", opts.contentRange(rg, obj.Size))
			h.Set("Content-Type", ctype)
			return d.send(w, r, http.StatusPartialContent, rg.Length(), func(cw io.Writer, buf []byte) (int64, error) {
				return copyRange(cw, obj.Content, rg, buf)
			})
		}
		return d.multipart(w, r, obj, ctype, opts)
	}
	h.Set("Content-Type", ctype)
	return d.send(w, r, http.StatusOK, obj.Size, func(cw io.Writer, buf []byte) (int64, error) {
		if obj.Size == 0 {
			return 0, nil
		}
		return copyRange(cw, obj.Content, Range{0, obj.Size - 1}, buf)
	})
}

// badRangePage stands for the HTML 400 page the real service sent. Its exact
// bytes are not on record, only that it was HTML with status 400, which this keeps.
const badRangePage = `<!DOCTYPE html>
<html><head><title>400 Bad Request</title></head>
<body><h1>Bad Request</h1><p>The Range header of the request is invalid.</p></body></html>
`

func (o Options) contentRange(r Range, size int64) string {
	if o.ContentRangeOverride != nil {
		return o.ContentRangeOverride(r, size)
	}
	return r.ContentRange(size)
}

// bare answers status without a body (304, 405, 412, 416, 500).
func (d Decision) bare(w http.ResponseWriter, status int, note string) Decision {
	d.Status, d.Note = status, note
	if status == http.StatusNotModified {
		// A 304's Content-Length would describe the representation, not this answer.
		w.Header().Del("Content-Length")
	} else {
		w.Header().Set("Content-Length", "0")
	}
	w.WriteHeader(status)
	return d
}

// body answers status with a small fixed body.
func (d Decision) body(w http.ResponseWriter, r *http.Request, status int, body string) Decision {
	d.Status = status
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		n, err := io.WriteString(w, body)
		d.BytesSent, d.Err = int64(n), err
	}
	return d
}

// send writes the header with an exact Content-Length, then the body through
// write with a pooled buffer (nothing for HEAD).
func (d Decision) send(w http.ResponseWriter, r *http.Request, status int, length int64,
	write func(io.Writer, []byte) (int64, error)) Decision {
	d.Status = status
	w.Header().Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return d
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	d.BytesSent, d.Err = write(w, *bp)
	return d
}

// multipart sends a 206 multipart/byteranges (RFC 9110 §14.6) whose length is
// computed before the first byte so the client gets a Content-Length.
func (d Decision) multipart(w http.ResponseWriter, r *http.Request, obj Object, ctype string, opts Options) Decision {
	boundary := opts.Boundary
	if !validBoundary(boundary) {
		boundary = deriveBoundary(obj, d.Served)
	}
	heads := make([]string, len(d.Served))
	var length int64
	for i, rg := range d.Served {
		sep := "\r\n" // the CRLF before a delimiter belongs to it (RFC 2046 §5.1.1)
		if i == 0 {
			sep = ""
		}
		heads[i] = sep + "--" + boundary + "\r\nContent-Type: " + ctype +
			"\r\nContent-Range: " + opts.contentRange(rg, obj.Size) + "\r\n\r\n"
		length += int64(len(heads[i])) + rg.Length()
	}
	tail := "\r\n--" + boundary + "--\r\n"
	length += int64(len(tail))
	w.Header().Set("Content-Type", "multipart/byteranges; boundary="+boundary)
	return d.send(w, r, http.StatusPartialContent, length, func(cw io.Writer, buf []byte) (int64, error) {
		var sent int64
		for i, rg := range d.Served {
			n, err := io.WriteString(cw, heads[i])
			sent += int64(n)
			if err != nil {
				return sent, err
			}
			m, err := copyRange(cw, obj.Content, rg, buf)
			sent += m
			if err != nil {
				return sent, err
			}
		}
		n, err := io.WriteString(cw, tail)
		return sent + int64(n), err
	})
}

// validBoundary accepts what is both an RFC 2046 boundary and an RFC 9110 token,
// so it can go unquoted in the Content-Type parameter.
func validBoundary(b string) bool {
	if len(b) == 0 || len(b) > 70 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("'+_.-", c) >= 0) {
			return false
		}
	}
	return true
}

// deriveBoundary hashes what identifies the answer, so equal requests get equal
// bytes without any randomness. A body could in theory contain it; synthetic media
// will not, and a random boundary would only make that unlikely too.
func deriveBoundary(obj Object, ranges []Range) string {
	f := fnv.New64a()
	fmt.Fprintf(f, "%s|%d|%s|%d", obj.ETag, obj.Size, obj.ContentType, obj.LastModified.UnixNano())
	for _, rg := range ranges {
		fmt.Fprintf(f, "|%d-%d", rg.Start, rg.End)
	}
	return fmt.Sprintf("acsemu-byteranges-%016x", f.Sum64())
}

// copyRange writes rg of src to w through buf and stops at the first error.
func copyRange(w io.Writer, src io.ReaderAt, rg Range, buf []byte) (int64, error) {
	var sent int64
	off, remain := rg.Start, rg.Length()
	for remain > 0 {
		chunk := buf[:min(int64(len(buf)), remain)]
		n, rerr := src.ReadAt(chunk, off)
		if n > 0 {
			wn, werr := w.Write(chunk[:n])
			sent += int64(wn)
			if werr != nil {
				return sent, werr
			}
			off, remain = off+int64(n), remain-int64(n)
		}
		switch {
		case remain == 0:
		case errors.Is(rerr, io.EOF):
			return sent, fmt.Errorf("content ends at %d, short of its size: %w", off, io.ErrUnexpectedEOF)
		case rerr != nil:
			return sent, fmt.Errorf("reading content at %d: %w", off, rerr)
		case n == 0:
			// io.ReaderAt promises an error with a short read; a broken one must not loop forever.
			return sent, fmt.Errorf("reading content at %d: %w", off, io.ErrNoProgress)
		}
	}
	return sent, nil
}
