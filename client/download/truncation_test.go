package download_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/signer"
)

// lengthless is a server whose media answers to a request without Range are a
// 200 with no Content-Length and no chunking (the body ends where the
// connection does), cut after cutAt bytes; Range requests get a correct 206
// or 416 unless ignoreRange.
type lengthless struct {
	body        []byte
	cutAt       int
	ignoreRange bool
	gets        atomic.Int32
}

func (l *lengthless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/acsmetadata") {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
		return
	}
	l.gets.Add(1)
	if r.Header.Get("Range") != "" && !l.ignoreRange {
		w.Header().Set("ETag", `"0x1"`)
		http.ServeContent(w, r, "media.wav", time.Time{}, bytes.NewReader(l.body))
		return
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nETag: \"0x1\"\r\nConnection: close\r\n\r\n")
	buf.Write(l.body[:l.cutAt])
	buf.Flush()
}

// testServerDownloader is a downloader for an httptest server (which ignores signatures).
func testServerDownloader(t *testing.T, srvURL string, opts ...download.Options) (*download.Downloader, string) {
	t.Helper()
	cs, err := signer.ParseConnectionString("endpoint=" + srvURL + "/;accesskey=" + "c2VjcmV0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var o download.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Dir, o.Transport = dir, newTransport()
	o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	d, err := download.New(cs, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, dir
}

func TestABodyWithoutLengthThatEndsEarlyIsNotCalledComplete(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	cases := []struct {
		name      string
		cutAt     int
		ignore    bool
		wantErr   bool
		wantFinal bool
	}{
		{"cut at half, resumed by the probe", len(body) / 2, false, false, true},
		{"whole, confirmed by a 416 probe", len(body), false, false, true},
		{"empty, resumed from zero", 0, false, false, true},
		{"cut, and the server ignores Range: fail loudly", len(body) / 2, true, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &lengthless{body: body, cutAt: c.cutAt, ignoreRange: c.ignore}
			srv := httptest.NewServer(l)
			t.Cleanup(srv.Close)
			d, dir := testServerDownloader(t, srv.URL)
			job, err := download.JobFromLocation(srv.URL + "/v1/objects/doc-1/content/audio")
			if err != nil {
				t.Fatal(err)
			}
			job.Format = "wav"
			_, err = d.Document(context.Background(), job)
			got, readErr := os.ReadFile(filepath.Join(dir, "doc-1.wav"))
			switch {
			case c.wantErr && (err == nil || !jobs.IsPermanent(err) && !strings.Contains(err.Error(), "giving up")):
				t.Fatalf("err %v: a body that cannot be confirmed must fail the job", err)
			case c.wantErr && readErr == nil:
				t.Fatalf("a %d-byte file of %d was written as complete", len(got), len(body))
			case !c.wantErr && (err != nil || !bytes.Equal(got, body)):
				t.Fatalf("err %v; file %d bytes (%v), want the %d-byte object", err, len(got), readErr, len(body))
			}
			if !c.wantErr && l.gets.Load() != 2 {
				t.Errorf("%d media requests, want the lengthless GET and one probe", l.gets.Load())
			}
		})
	}
}
