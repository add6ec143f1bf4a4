package httprange

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkServe serves a 64 MiB in-memory object over loopback and reports,
// beside Serve's MB/s, the MB/s of http.ServeContent over a bytes.Reader of the
// same bytes, measured in the same run, and their ratio (above 1: Serve is faster).
func BenchmarkServe(b *testing.B) {
	const size = 64 << 20
	data := pattern(size)
	obj := Object{Content: bytes.NewReader(data), Size: size, ContentType: "audio/wav", ETag: etag, LastModified: modTime}
	ours := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Serve(w, r, obj, Options{})
	}))
	defer ours.Close()
	base := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "", modTime, bytes.NewReader(data))
	}))
	defer base.Close()

	for _, c := range []struct {
		name, header string
		status       int
	}{
		{"full", "", 200},
		{"open-range", "bytes=1048576-", 206},
		{"multipart", "bytes=0-16777215,33554432-", 206},
	} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 256<<10)
			fetch := func(url string) (n int64) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if c.header != "" {
					req.Header.Set("Range", c.header)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != c.status {
					b.Fatalf("%s: status %d", url, resp.StatusCode)
				}
				// A plain read loop: io.Discard's ReadFrom would use a small buffer.
				for {
					m, err := resp.Body.Read(buf)
					n += int64(m)
					if err == io.EOF {
						return n
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			n := fetch(ours.URL) // warm both connections, and learn the body size
			fetch(base.URL)
			b.SetBytes(n)
			var oursTime, baseTime time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Interleaved, so that drift in the machine's load hits both alike.
				start := time.Now()
				fetch(ours.URL)
				oursTime += time.Since(start)
				b.StopTimer()
				start = time.Now()
				fetch(base.URL)
				baseTime += time.Since(start)
				b.StartTimer()
			}
			mbps := func(d time.Duration) float64 { return float64(n) * float64(b.N) / d.Seconds() / 1e6 }
			b.ReportMetric(mbps(baseTime), "ServeContent-MB/s")
			b.ReportMetric(mbps(oursTime)/mbps(baseTime), "x-ServeContent")
		})
	}
}
