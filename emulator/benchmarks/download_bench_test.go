package benchmarks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

const gib = 1 << 30

// fetch downloads [from, to] (to < 0: to the end) and returns the bytes read.
func fetch(c *http.Client, url string, from, to int64, buf []byte) (int64, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if from > 0 || to >= 0 {
		rng := fmt.Sprintf("bytes=%d-", from)
		if to >= 0 {
			rng += fmt.Sprint(to)
		}
		req.Header.Set("Range", rng)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var n int64
	for {
		m, err := resp.Body.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// download fetches size bytes as `streams` equal ranges in parallel and returns the throughput in MB/s.
func download(b *testing.B, c *http.Client, url string, size int64, streams int) float64 {
	b.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	part := size / int64(streams)
	for i := 0; i < streams; i++ {
		from, to := int64(i)*part, int64(i+1)*part-1
		if i == streams-1 {
			to = size - 1
		}
		if streams == 1 {
			from, to = 0, -1
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			n, err := fetch(c, url, from, to, buf)
			if err == nil && to >= 0 && n != to-from+1 {
				err = fmt.Errorf("range %d-%d: got %d bytes", from, to, n)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return float64(size) / time.Since(start).Seconds() / 1e6
}

// baseline serves a page-cached file of size bytes with http.ServeContent.
func baseline(b *testing.B, size int64) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "baseline.bin")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for written := int64(0); written < size; written += int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), size-written)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "baseline.bin", time.Time{}, f)
	}))
	b.Cleanup(srv.Close)
	// Read it once so the page cache holds it.
	if _, err := fetch(srv.Client(), srv.URL, 0, -1, make([]byte, 1<<20)); err != nil {
		b.Fatal(err)
	}
	return srv.URL
}

// synthetic starts an emulator holding one synthetic chunk of about size bytes.
func synthetic(b *testing.B, size int64) (*http.Client, string, int64) {
	b.Helper()
	_, c, url, docSize := syntheticServer(b, size)
	return c, url, docSize
}

// syntheticServer is synthetic with the emulator it started.
func syntheticServer(b *testing.B, size int64) (*emulator.Server, *http.Client, string, int64) {
	b.Helper()
	srv := emulatortest.Start(b, emulator.Options{})
	// 16 unmixed 16 kHz 16-bit channels: 512,000 bytes per second of recording.
	rec, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(time.Duration(size/512_000+60) * time.Second), ChannelType: "unmixed",
		ParticipantCount: 16, ChunkSizeLimit: size, NoEvent: true})
	if err != nil {
		b.Fatal(err)
	}
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		b.Fatal(err)
	}
	d := rec.Documents[0]
	return srv, signer.New(cs).Client(), d.ContentLocation, d.Size
}

func benchmarkStreams(b *testing.B, streams int) {
	base := baseline(b, gib)
	c, url, size := synthetic(b, gib)
	plain := &http.Client{}
	b.SetBytes(size)
	b.ResetTimer()
	var emu, ref float64
	for i := 0; i < b.N; i++ {
		ref += download(b, plain, base, gib, streams)
		emu += download(b, c, url, size, streams)
	}
	b.ReportMetric(emu/float64(b.N), "emulator-MB/s")
	b.ReportMetric(ref/float64(b.N), "servecontent-MB/s")
	b.ReportMetric(emu/ref, "ratio")
}

// BenchmarkDownload1GiBSingleStream: target ratio >= 0.8.
func BenchmarkDownload1GiBSingleStream(b *testing.B) { benchmarkStreams(b, 1) }

// BenchmarkDownload1GiB16Streams: target ratio >= 0.8.
func BenchmarkDownload1GiB16Streams(b *testing.B) { benchmarkStreams(b, 16) }
