package download_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
)

// plainGet is the baseline: a signed GET copied into a file, nothing else
// (no resume state, no fsync, no rename).
func plainGet(b *testing.B, c *http.Client, url, path string, buf []byte) int64 {
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var n int64
	if buf == nil {
		n, err = io.Copy(f, resp.Body) // os.File.ReadFrom: 32 KiB reads
	} else {
		n, err = io.CopyBuffer(struct{ io.Writer }{f}, resp.Body, buf)
	}
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("%d %v", resp.StatusCode, err)
	}
	return n
}

// BenchmarkDownload compares the downloader's throughput on one 64 MB chunk
// (media and metadata) with a plain Go GET of the same bytes from the same
// emulator, interleaved in one run: "ratio" is client throughput / plain
// throughput (target ≥ 0.9). "ratio-tuned" compares with a plain GET that
// reads with the downloader's 256 KiB buffer, to show what the robustness
// itself costs (resume state, fsync, rename).
func BenchmarkDownload(b *testing.B) {
	e := newEnv(b, emulator.Options{Seed: 30})
	doc := e.recording(1, 64<<20).Documents[0]
	store := e.store()
	defer store.Close()
	d := e.downloader(download.Options{State: store})
	tr := newTransport()
	defer tr.CloseIdleConnections()
	plain := signer.New(e.cs, signer.WithBase(tr)).Client()
	base := filepath.Join(b.TempDir(), "plain")
	var tClient, tPlain, tTuned time.Duration
	buf := make([]byte, 256<<10)
	var bytes int64
	for i := 0; b.Loop(); i++ {
		run := func(f func()) time.Duration { s := time.Now(); f(); return time.Since(s) }
		client := func() {
			res, err := d.Document(context.Background(), jobOf(doc))
			if err != nil {
				b.Fatal(err)
			}
			bytes = res.Bytes()
		}
		get := func(buf []byte) func() {
			return func() {
				plainGet(b, plain, doc.ContentLocation, base+".wav", buf)
				plainGet(b, plain, doc.MetadataLocation, base+".json", buf)
			}
		}
		switch i % 3 { // rotate which goes first
		case 0:
			tClient += run(client)
			tPlain += run(get(nil))
			tTuned += run(get(buf))
		case 1:
			tPlain += run(get(nil))
			tTuned += run(get(buf))
			tClient += run(client)
		default:
			tTuned += run(get(buf))
			tClient += run(client)
			tPlain += run(get(nil))
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(bytes)*n/tClient.Seconds()/1e6, "client-MB/s")
	b.ReportMetric(float64(bytes)*n/tPlain.Seconds()/1e6, "plain-MB/s")
	b.ReportMetric(tPlain.Seconds()/tClient.Seconds(), "ratio")
	b.ReportMetric(tTuned.Seconds()/tClient.Seconds(), "ratio-tuned")
}
