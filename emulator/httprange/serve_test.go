package httprange

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

var modTime = time.Date(2025, 4, 1, 12, 34, 56, 789, time.UTC)

const etag = `"v1-abc"`

// pattern gives bytes where a shifted slice never equals the original.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i>>8)
	}
	return b
}

type fixture struct {
	srv       *httptest.Server
	data      []byte
	decisions chan Decision
}

func newFixture(t testing.TB, size int, opts Options) *fixture {
	f := &fixture{data: pattern(size), decisions: make(chan Decision, 1)}
	obj := Object{Content: bytes.NewReader(f.data), Size: int64(size), ContentType: "audio/wav", ETag: etag, LastModified: modTime}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.decisions <- Serve(w, r, obj, opts)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// do sends one request with header pairs and returns the response, its whole
// body and the server's Decision (received after the handler returned).
func (f *fixture) do(t testing.TB, method string, kv ...string) (*http.Response, []byte, Decision) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Add(kv[i], kv[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body, <-f.decisions
}

func wantHeader(t testing.TB, resp *http.Response, key, want string) {
	t.Helper()
	if got := resp.Header.Get(key); got != want {
		t.Errorf("%s = %q, want %q", key, got, want)
	}
}

func TestServeSingle(t *testing.T) {
	f := newFixture(t, 10000, Options{})
	for _, c := range []struct {
		header string
		want   Range
	}{{"bytes=0-499", Range{0, 499}}, {"bytes=9500-", Range{9500, 9999}}, {"bytes=-500", Range{9500, 9999}}, {"bytes=9000-20000", Range{9000, 9999}}} {
		resp, body, d := f.do(t, http.MethodGet, "Range", c.header)
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, f.data[c.want.Start:c.want.End+1]) {
			t.Fatalf("%s: status %d, %d bytes", c.header, resp.StatusCode, len(body))
		}
		wantHeader(t, resp, "Content-Range", c.want.ContentRange(10000))
		wantHeader(t, resp, "Content-Length", strconv.FormatInt(c.want.Length(), 10))
		wantHeader(t, resp, "Content-Type", "audio/wav")
		wantHeader(t, resp, "Accept-Ranges", "bytes")
		wantHeader(t, resp, "ETag", etag)
		wantHeader(t, resp, "Last-Modified", "Tue, 01 Apr 2025 12:34:56 GMT")
		if d.Status != 206 || d.Asked != c.header || d.BytesSent != c.want.Length() || d.Err != nil || len(d.Served) != 1 || d.Served[0] != c.want {
			t.Fatalf("%s: decision %+v", c.header, d)
		}
	}
}

func TestServeFull(t *testing.T) {
	f := newFixture(t, 10000, Options{})
	resp, body, d := f.do(t, http.MethodGet)
	if resp.StatusCode != 200 || !bytes.Equal(body, f.data) || resp.ContentLength != 10000 {
		t.Fatalf("status %d, %d bytes, Content-Length %d", resp.StatusCode, len(body), resp.ContentLength)
	}
	wantHeader(t, resp, "Accept-Ranges", "bytes")
	if d.Status != 200 || d.Outcome != NoRange || d.Served != nil || d.BytesSent != 10000 || d.Note != "" {
		t.Fatalf("decision %+v", d)
	}
}

func TestServeMultipart(t *testing.T) {
	f := newFixture(t, 10000, Options{})
	const header = "bytes=0-999,4500-5499,-1000"
	want := []Range{{0, 999}, {4500, 5499}, {9000, 9999}}
	resp, body, d := f.do(t, http.MethodGet, "Range", header)
	if resp.StatusCode != 206 || resp.ContentLength != int64(len(body)) || d.BytesSent != int64(len(body)) {
		t.Fatalf("status %d, Content-Length %d, body %d, sent %d", resp.StatusCode, resp.ContentLength, len(body), d.BytesSent)
	}
	if resp.Header.Get("Content-Range") != "" {
		t.Error("a multipart answer has Content-Range in its parts only")
	}
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for i := 0; ; i++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			if i != len(want) {
				t.Fatalf("%d parts, want %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(part)
		if i >= len(want) || !bytes.Equal(got, f.data[want[i].Start:want[i].End+1]) {
			t.Fatalf("part %d: %d bytes, not the asked range", i, len(got))
		}
		if part.Header.Get("Content-Range") != want[i].ContentRange(10000) || part.Header.Get("Content-Type") != "audio/wav" {
			t.Fatalf("part %d headers %v", i, part.Header)
		}
	}
	// Same request, same bytes: the boundary comes from no random source.
	_, again, _ := f.do(t, http.MethodGet, "Range", header)
	if !bytes.Equal(body, again) {
		t.Fatal("two equal requests gave different multipart bodies")
	}
}

func TestServeBoundaryOption(t *testing.T) {
	for boundary, want := range map[string]string{"my-boundary": "my-boundary", "bad boundary!": ""} {
		f := newFixture(t, 100, Options{Boundary: boundary})
		resp, _, _ := f.do(t, http.MethodGet, "Range", "bytes=0-0,-1")
		_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if got := params["boundary"]; (want != "" && got != want) || (want == "" && !strings.HasPrefix(got, "acsemu-")) {
			t.Errorf("Boundary %q: got %q", boundary, got)
		}
	}
}

func TestServeIfRange(t *testing.T) {
	f := newFixture(t, 10000, Options{})
	for _, c := range []struct {
		ifRange string
		status  int
	}{
		{etag, 206},
		{`"v0-old"`, 200},
		{`W/"v1-abc"`, 200},
		{"Tue, 01 Apr 2025 12:34:56 GMT", 206},
		{"Tue, 01 Apr 2025 12:34:57 GMT", 200},
		{"Tue, 01 Apr 2025 12:34:55 GMT", 200},
		{"yesterday", 200},
	} {
		resp, body, d := f.do(t, http.MethodGet, "Range", "bytes=100-199", "If-Range", c.ifRange)
		if resp.StatusCode != c.status || d.Status != c.status {
			t.Errorf("If-Range %s: status %d, want %d (%s)", c.ifRange, resp.StatusCode, c.status, d.Note)
		}
		if c.status == 200 && (!bytes.Equal(body, f.data) || !strings.Contains(d.Note, "If-Range") || d.Outcome != Single) {
			t.Errorf("If-Range %s: %d bytes, decision %+v", c.ifRange, len(body), d)
		}
	}
	// Without Range, If-Range is ignored.
	resp, _, _ := f.do(t, http.MethodGet, "If-Range", `"other"`)
	if resp.StatusCode != 200 {
		t.Errorf("If-Range alone: %d", resp.StatusCode)
	}
}

func TestServeHead(t *testing.T) {
	f := newFixture(t, 10000, Options{})
	get, _, _ := f.do(t, http.MethodGet)
	head, body, d := f.do(t, http.MethodHead)
	if head.StatusCode != 200 || len(body) != 0 || d.BytesSent != 0 {
		t.Fatalf("HEAD: %d, %d bytes", head.StatusCode, len(body))
	}
	for _, k := range []string{"Content-Length", "Content-Type", "Accept-Ranges", "ETag", "Last-Modified"} {
		wantHeader(t, head, k, get.Header.Get(k))
	}
	// RFC 9110 §14.2: range handling is defined for GET only.
	head, _, d = f.do(t, http.MethodHead, "Range", "bytes=0-9")
	if head.StatusCode != 200 || head.ContentLength != 10000 || !strings.Contains(d.Note, "HEAD") {
		t.Fatalf("HEAD with Range: %d, Content-Length %d, note %q", head.StatusCode, head.ContentLength, d.Note)
	}
}

func TestServeUnsatisfiable(t *testing.T) {
	f := newFixture(t, 10000, Options{})
	resp, body, d := f.do(t, http.MethodGet, "Range", "bytes=10000-")
	if resp.StatusCode != 416 || len(body) != 0 || d.Status != 416 || d.Outcome != Unsatisfiable {
		t.Fatalf("status %d, %d bytes, decision %+v", resp.StatusCode, len(body), d)
	}
	wantHeader(t, resp, "Content-Range", "bytes */10000")
	// The Java SDK's answer to 416 is to ask again without Range.
	resp, body, _ = f.do(t, http.MethodGet)
	if resp.StatusCode != 200 || !bytes.Equal(body, f.data) {
		t.Fatalf("retry without range: %d", resp.StatusCode)
	}
}

func TestServeEmpty(t *testing.T) {
	f := newFixture(t, 0, Options{})
	resp, body, _ := f.do(t, http.MethodGet)
	if resp.StatusCode != 200 || len(body) != 0 || resp.ContentLength != 0 {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, _, _ = f.do(t, http.MethodGet, "Range", "bytes=0-")
	if resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */0" {
		t.Fatalf("status %d, Content-Range %q", resp.StatusCode, resp.Header.Get("Content-Range"))
	}
}

func TestServeIgnoredHeaders(t *testing.T) {
	f := newFixture(t, 1000, Options{})
	for _, kv := range [][]string{
		{"Range", many(10000)}, // bounded: ignored, not 10,000 parts
		{"Range", "items=0-5"},
		{"Range", "bytes=undefined"},
		{"Range", "bytes=0-1", "Range", "bytes=5-6"}, // Range is not a list: two lines are invalid
	} {
		resp, body, d := f.do(t, http.MethodGet, kv...)
		if resp.StatusCode != 200 || !bytes.Equal(body, f.data) || d.Note == "" {
			t.Errorf("%.40q: status %d, %d bytes, note %q", kv, resp.StatusCode, len(body), d.Note)
		}
	}
}

func TestServeReject400(t *testing.T) {
	f := newFixture(t, 1000, Options{MalformedPolicy: Reject400})
	for _, v := range []string{"bytes=undefined", "bytes=5", "bytes=0"} {
		resp, body, d := f.do(t, http.MethodGet, "Range", v)
		if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!bytes.Contains(body, []byte("<html>")) || resp.Header.Get("ETag") != "" || d.Outcome != Malformed {
			t.Errorf("%s: status %d %q %q", v, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if resp, _, _ := f.do(t, http.MethodGet, "Range", "bytes=0-4"); resp.StatusCode != 206 {
		t.Errorf("a valid range under Reject400: %d", resp.StatusCode)
	}
}

// A client that resumes at any offset must get exactly the rest of the file.
func TestServeResumeEveryOffset(t *testing.T) {
	const size = 4096
	f := newFixture(t, size, Options{})
	for o := 0; o < size; o++ {
		resp, body, _ := f.do(t, http.MethodGet, "Range", fmt.Sprintf("bytes=%d-", o))
		if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", o, size-1, size) {
			t.Fatalf("offset %d: %d %q", o, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
		if got := append(append([]byte(nil), f.data[:o]...), body...); !bytes.Equal(got, f.data) {
			t.Fatalf("offset %d: resumed file differs", o)
		}
	}
	if resp, _, _ := f.do(t, http.MethodGet, "Range", fmt.Sprintf("bytes=%d-", size)); resp.StatusCode != 416 {
		t.Fatalf("offset %d (the end): %d, want 416", size, resp.StatusCode)
	}
}

func TestServeFaultHooks(t *testing.T) {
	f := newFixture(t, 1000, Options{IgnoreRange: true})
	resp, body, d := f.do(t, http.MethodGet, "Range", "bytes=10-19")
	if resp.StatusCode != 200 || !bytes.Equal(body, f.data) || !strings.Contains(d.Note, "fault") {
		t.Fatalf("IgnoreRange: %d, note %q", resp.StatusCode, d.Note)
	}
	wrong := func(r Range, size int64) string { return Range{r.Start + 1, r.End + 1}.ContentRange(size) }
	f = newFixture(t, 1000, Options{ContentRangeOverride: wrong})
	resp, body, _ = f.do(t, http.MethodGet, "Range", "bytes=10-19")
	if resp.Header.Get("Content-Range") != "bytes 11-20/1000" || !bytes.Equal(body, f.data[10:20]) {
		t.Fatalf("override: %q", resp.Header.Get("Content-Range"))
	}
}

func TestServePreconditions(t *testing.T) {
	f := newFixture(t, 1000, Options{})
	for _, c := range []struct {
		key, value string
		status     int
	}{
		{"If-Match", etag, 200},
		{"If-Match", `"a,b", ` + etag, 200},
		{"If-Match", "*", 200},
		{"If-Match", `"other"`, 412},
		{"If-Match", "W/" + etag, 412}, // If-Match compares strongly
		{"If-Match", "garbage", 412},
		{"If-None-Match", etag, 304},
		{"If-None-Match", "W/" + etag, 304}, // If-None-Match compares weakly
		{"If-None-Match", "*", 304},
		{"If-None-Match", `"other"`, 200},
	} {
		resp, _, d := f.do(t, http.MethodGet, c.key, c.value)
		if resp.StatusCode != c.status || d.Status != c.status {
			t.Errorf("%s: %s: %d, want %d", c.key, c.value, resp.StatusCode, c.status)
		}
	}
	if resp, _, _ := f.do(t, http.MethodPost); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

// failingWriter accepts limit body bytes, then fails like a reset connection.
type failingWriter struct {
	*httptest.ResponseRecorder
	limit int
}

var errReset = fmt.Errorf("connection reset by peer")

func (w *failingWriter) Write(p []byte) (int, error) {
	if room := w.limit - w.Body.Len(); len(p) > room {
		n, _ := w.ResponseRecorder.Write(p[:max(room, 0)])
		return n, errReset
	}
	return w.ResponseRecorder.Write(p)
}

func TestServeStopsAtWriteError(t *testing.T) {
	data := pattern(1 << 20)
	w := &failingWriter{httptest.NewRecorder(), 300000}
	d := Serve(w, httptest.NewRequest(http.MethodGet, "/", nil), Object{Content: bytes.NewReader(data), Size: int64(len(data))}, Options{})
	if d.Err != errReset || d.BytesSent != 300000 || !bytes.Equal(w.Body.Bytes(), data[:300000]) {
		t.Fatalf("sent %d, err %v", d.BytesSent, d.Err)
	}
}

func TestServeShortContent(t *testing.T) {
	w := httptest.NewRecorder()
	d := Serve(w, httptest.NewRequest(http.MethodGet, "/", nil), Object{Content: strings.NewReader("short"), Size: 10}, Options{})
	if d.Err == nil || !strings.Contains(d.Err.Error(), "short of its size") || d.BytesSent != 5 {
		t.Fatalf("sent %d, err %v", d.BytesSent, d.Err)
	}
	w = httptest.NewRecorder()
	d = Serve(w, httptest.NewRequest(http.MethodGet, "/", nil), Object{Size: 10}, Options{})
	if w.Code != 500 || d.Err == nil {
		t.Fatalf("no content: %d %v", w.Code, d.Err)
	}
}
