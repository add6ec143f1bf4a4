package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/httprange"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/wire"
)

// PreviewAPIVersion is the only api-version the 2021 preview download API accepts.
const PreviewAPIVersion = "2021-04-15-preview1"

var traceCounter atomic.Uint64

// dataRequest is what the data-plane router works out about a request.
type dataRequest struct {
	target   string // journal target
	shape    wire.Shape
	docID    string
	metadata bool   // the acsmetadata document rather than the media
	kind     string // audio|video for GA content paths
	preview  bool
}

// Storage answers, as recorded from the real storage (2021): every download
// is application/octet-stream, media and metadata alike, never cached.
const (
	storageContentType  = "application/octet-stream"
	storageCacheControl = "no-cache, max-age=0, s-maxage=0, private"
)

// splitEscaped splits an escaped path into unescaped segments: a
// percent-encoded slash stays inside its segment, so "a%2Fb" names the
// document "a/b" (which cannot exist), never two segments.
func splitEscaped(rest string) []string {
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	return parts
}

// classify maps an escaped path to what it addresses, without looking at the method.
func classify(path string) (dataRequest, bool) {
	switch {
	case strings.HasPrefix(path, "/v1/objects/"):
		parts := splitEscaped(strings.TrimPrefix(path, "/v1/objects/"))
		req := dataRequest{shape: wire.ShapeStorage, docID: parts[0]}
		switch {
		case len(parts) == 1:
			req.target = journal.TargetDelete
		case len(parts) == 3 && parts[1] == "content" && parts[2] == "acsmetadata":
			req.target, req.metadata = journal.TargetMetadata, true
		case len(parts) == 3 && parts[1] == "content" && recordings.IsMediaKind(parts[2]):
			req.target, req.kind = journal.TargetMedia, parts[2]
		default:
			return req, false
		}
		return req, true
	case strings.HasPrefix(path, "/recording/download/"):
		parts := splitEscaped(strings.TrimPrefix(path, "/recording/download/"))
		req := dataRequest{shape: wire.ShapeACS, docID: parts[0], preview: true, target: journal.TargetMedia}
		switch {
		case len(parts) == 1:
		case len(parts) == 2 && parts[1] == "metadata":
			req.target, req.metadata = journal.TargetMetadata, true
		default:
			return req, false
		}
		return req, true
	case strings.HasPrefix(path, "/calling/"):
		return dataRequest{shape: wire.ShapeACS, target: journal.TargetCalling}, calling.Handles(path)
	}
	return dataRequest{shape: wire.ShapeACS, target: journal.TargetUnknown}, false
}

// serveData answers the emulated service: it verifies the signature before
// anything else, then routes.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request) {
	start, began := s.clock.Now(), time.Now() // the entry is dated by the emulator clock, timed by the wall clock
	sw := &statusWriter{ResponseWriter: w}
	traceID := fmt.Sprintf("%032x", traceCounter.Add(1))
	dr, known := classify(r.URL.EscapedPath())
	header, rawAuth := journalHeader(r.Header)
	entry := journal.Entry{Time: start, Plane: journal.PlaneData, Target: dr.target, Method: r.Method,
		Path: r.URL.Path, Query: r.URL.RawQuery, Header: header, RawAuthorization: rawAuth, RemoteAddr: r.RemoteAddr,
		DocumentID: dr.docID, RangeAsked: r.Header.Get("Range")}
	defer func() {
		entry.Status, entry.BytesSent, entry.Duration = sw.code(), sw.bytes, time.Since(began)
		s.journal.Add(entry)
	}()
	switch { // on every answer, 401 included, as recorded
	case dr.target == journal.TargetCalling:
		s.calling.SetResponseHeaders(sw.Header(), r)
	case dr.shape == wire.ShapeStorage:
		sw.Header().Set("Cache-Control", storageCacheControl)
	}
	fail := func(err *wire.Error) {
		entry.Error = err.Error()
		s.log.Info("request failed", "method", r.Method, "path", r.URL.Path, "status", err.Status, "code", err.Code, "why", err.Explanation)
		wire.Write(sw, dr.shape, err, traceID)
	}

	// A client that trickles its body cannot hold a handler forever.
	_ = http.NewResponseController(sw).SetReadDeadline(time.Now().Add(s.opts.BodyReadTimeout))
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxRequestBody+1))
	if err != nil {
		fail(&wire.Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "The request body could not be read.", Explanation: err.Error()})
		return
	}
	if int64(len(body)) > s.opts.MaxRequestBody {
		fail(&wire.Error{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge",
			Message: "The request body is too large.", Explanation: fmt.Sprintf("bodies are limited to %d bytes", s.opts.MaxRequestBody)})
		return
	}
	verdict := s.verifier.Verify(r, body)
	entry.Auth = &journal.Auth{OK: verdict.OK, Variant: verdict.Variant, Failure: verdict.Failure, Explanation: verdict.Explanation}
	if !verdict.OK {
		entry.Auth.StringToSign = verdict.StringToSign // only failures: what a person compares with what they signed
	}
	if !verdict.OK {
		fail(verdict.Err())
		return
	}
	call := s.faults.Begin(r, faults.Request{Target: dr.target, DocumentID: dr.docID})
	defer func() { entry.Fault = call.Finish(sw) }() // runs before the journal's defer
	if call.Before(sw) {
		return
	}
	if !known {
		fail(&wire.Error{Status: http.StatusNotFound, Code: "NotFound", Message: "The requested resource was not found.",
			Explanation: fmt.Sprintf("no emulated API serves %s %s", r.Method, r.URL.Path)})
		return
	}
	if strings.Contains(dr.docID, "/") { // a percent-encoded slash: no document has one
		fail(notFound(dr.docID))
		return
	}
	if dr.target == journal.TargetCalling {
		if err := s.calling.Serve(sw, r, body); err != nil {
			fail(err)
		}
		return
	}
	if dr.preview {
		if err := checkPreviewVersion(r); err != nil {
			fail(err)
			return
		}
	}
	if dr.target == journal.TargetDelete {
		if r.Method != http.MethodDelete {
			sw.Header().Set("Allow", "DELETE")
			fail(wire.ErrMethodNotAllowed)
			return
		}
		if !s.store.Delete(dr.docID) {
			fail(notFound(dr.docID))
			return
		}
		// The JS SDK accepts only 200 for a delete (204 makes it throw).
		sw.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		sw.Header().Set("Allow", "GET, HEAD")
		fail(wire.ErrMethodNotAllowed)
		return
	}
	doc, ok := s.store.Document(dr.docID)
	if !ok || (dr.kind != "" && dr.kind != doc.MediaKind) {
		fail(notFound(dr.docID))
		return
	}
	content := doc.Media()
	if dr.metadata {
		content = doc.Metadata()
	}
	obj := httprange.Object{Content: content.Data, Size: content.Size(), ContentType: content.MIMEType}
	if dr.shape == wire.ShapeStorage {
		obj.ContentType = storageContentType
	}
	// No ETag or Last-Modified was recorded from the real storage; the
	// StorageValidators option adds them.
	if s.opts.StorageValidators {
		obj.ETag, obj.LastModified = content.ETag, content.LastModified
	}
	ropts := httprange.Options{MalformedPolicy: s.opts.MalformedRange, Boundary: "acsemu-" + traceID}
	dec := httprange.Serve(call.Download(sw, &obj, &ropts), r, obj, ropts)
	entry.RangeServed, entry.RangeNote = formatServed(dec.Served), dec.Note
	if dec.Err != nil && !errors.Is(dec.Err, io.EOF) {
		entry.Error = dec.Err.Error()
	}
}

func formatServed(rs []httprange.Range) string {
	if len(rs) == 0 {
		return ""
	}
	parts := make([]string, len(rs))
	for i, rg := range rs {
		parts[i] = fmt.Sprintf("%d-%d", rg.Start, rg.End)
	}
	return "bytes=" + strings.Join(parts, ",")
}

func notFound(id string) *wire.Error {
	return &wire.Error{Status: http.StatusNotFound, Code: "NotFound", Message: "The requested document was not found.",
		Explanation: fmt.Sprintf("no document %q (never created, or deleted)", id)}
}

func checkPreviewVersion(r *http.Request) *wire.Error {
	return wire.CheckAPIVersion(r, []string{PreviewAPIVersion}, "the recording download API exists only in api-version "+PreviewAPIVersion)
}
