package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// smallDoc creates a one-chunk recording small enough to resume at every offset.
func smallDoc(t *testing.T, srv *emulator.Server, length time.Duration) (api.Document, []byte) {
	t.Helper()
	rec, err := srv.Control().CreateRecording(t.Context(), api.RecordingSpec{
		Duration: api.Duration(length), NoEvent: true})
	if err == nil {
		rec, err = srv.Control().WaitHashes(t.Context(), rec.ID) // creating hashes nothing
	}
	if err != nil {
		t.Fatal(err)
	}
	d := rec.Documents[0]
	_, full := get(t, signedClient(t, srv), d.ContentLocation, nil)
	if sum(full) != d.SHA256 {
		t.Fatal("full download does not match the control plane's SHA-256")
	}
	return d, full
}

// With validators (a serve option: the real storage was not recorded sending them), If-Range is honoured.
func TestRangeTableOnBothDownloadAPIs(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{StorageValidators: true})
	d, full := smallDoc(t, srv, time.Second)
	size := int64(len(full))
	c := signedClient(t, srv)
	cases := []struct {
		name, rng string
		status    int
		from, to  int64 // expected body for single ranges / 200
	}{
		{"first 500 bytes", "bytes=0-499", 206, 0, 499},
		{"second 500 bytes", "bytes=500-999", 206, 500, 999},
		{"suffix", "bytes=-500", 206, size - 500, size - 1},
		{"open ended", "bytes=9500-", 206, 9500, size - 1},
		{"end past the size is clamped", "bytes=100-99999999", 206, 100, size - 1},
		{"unsatisfiable", fmt.Sprintf("bytes=%d-", size), 416, 0, -1},
		{"unknown unit is ignored", "items=0-5", 200, 0, size - 1},
		{"malformed is ignored (RFC 9110)", "bytes=undefined", 200, 0, size - 1},
	}
	for _, api := range []struct{ name, url string }{{"GA storage", d.ContentLocation}, {"2021 preview", d.PreviewContentURL}} {
		for _, tc := range cases {
			t.Run(api.name+"/"+tc.name, func(t *testing.T) {
				resp, body := get(t, c, api.url, http.Header{"Range": {tc.rng}})
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
				}
				if resp.Header.Get("Accept-Ranges") != "bytes" {
					t.Error("no Accept-Ranges: bytes")
				}
				switch tc.status {
				case 416:
					if got := resp.Header.Get("Content-Range"); got != fmt.Sprintf("bytes */%d", size) {
						t.Errorf("Content-Range %q", got)
					}
				default:
					if !bytes.Equal(body, full[tc.from:tc.to+1]) {
						t.Errorf("body differs from bytes %d-%d", tc.from, tc.to)
					}
				}
				if tc.status == 206 {
					if got, want := resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to, size); got != want {
						t.Errorf("Content-Range %q, want %q", got, want)
					}
				}
			})
		}
		t.Run(api.name+"/multipart", func(t *testing.T) {
			resp, body := get(t, c, api.url, http.Header{"Range": {"bytes=0-99,-100"}})
			mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			if resp.StatusCode != 206 || err != nil || mt != "multipart/byteranges" {
				t.Fatalf("status %d content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if cl, _ := strconv.Atoi(resp.Header.Get("Content-Length")); cl != len(body) {
				t.Fatalf("Content-Length %d, body %d", cl, len(body))
			}
			mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
			want := [][]byte{full[:100], full[size-100:]}
			for i := 0; ; i++ {
				p, err := mr.NextPart()
				if err == io.EOF {
					if i != 2 {
						t.Fatalf("%d parts", i)
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(p)
				if !bytes.Equal(got, want[i]) || !strings.HasPrefix(p.Header.Get("Content-Range"), "bytes ") {
					t.Fatalf("part %d: %d bytes, Content-Range %q", i, len(got), p.Header.Get("Content-Range"))
				}
			}
		})
		t.Run(api.name+"/If-Range", func(t *testing.T) {
			resp, _ := get(t, c, api.url, http.Header{"Range": {"bytes=10-"}, "If-Range": {d.ETag}})
			if resp.StatusCode != 206 {
				t.Errorf("matching If-Range: %d", resp.StatusCode)
			}
			resp, body := get(t, c, api.url, http.Header{"Range": {"bytes=10-"}, "If-Range": {`"stale"`}})
			if resp.StatusCode != 200 || !bytes.Equal(body, full) {
				t.Errorf("stale If-Range: %d, want the whole file", resp.StatusCode)
			}
		})
	}
}

func TestResumingAtEveryOffsetGivesIdenticalBytes(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	d, full := smallDoc(t, srv, 125*time.Millisecond) // a 4 KB WAV file
	c := signedClient(t, srv)
	for o := 0; o < len(full); o++ {
		_, tail := get(t, c, d.ContentLocation, http.Header{"Range": {fmt.Sprintf("bytes=%d-", o)}})
		if !bytes.Equal(append(append([]byte{}, full[:o]...), tail...), full) {
			t.Fatalf("resuming at %d gives different bytes", o)
		}
	}
	last := len(full) - 1
	if _, tail := get(t, c, d.PreviewContentURL, http.Header{"Range": {fmt.Sprintf("bytes=%d-", last)}}); len(tail) != 1 {
		t.Fatalf("last byte: %d bytes", len(tail))
	}
	rangedServed, err := srv.Control().CountRequests(t.Context(), api.RequestFilter{HasRange: "yes", Status: 206})
	if err != nil || rangedServed == 0 {
		t.Fatalf("journal shows %d ranged 206 answers (%v)", rangedServed, err)
	}
}

func TestHeadAnswersHeadersWithoutBody(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{StorageValidators: true})
	d, full := smallDoc(t, srv, time.Second)
	req, _ := http.NewRequest(http.MethodHead, d.ContentLocation, nil)
	resp, err := signedClient(t, srv).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(full)) || resp.Header.Get("ETag") != d.ETag || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("HEAD: %d length %d etag %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("ETag"))
	}
}
