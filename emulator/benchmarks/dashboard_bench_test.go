package benchmarks

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// dashboardClient is a browser tab on /_emulator/ui/: it follows the event
// stream and counts the events until stopped.
type dashboardClient struct {
	cancel context.CancelFunc
	done   chan struct{}
	events atomic.Int64
}

func openDashboard(b *testing.B, base string) *dashboardClient {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_emulator/ui/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	c := &dashboardClient{cancel: cancel, done: make(chan struct{})}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	if !sc.Scan() { // the snapshot's first line: the stream is live
		cancel()
		b.Fatal("the dashboard stream sent nothing")
	}
	go func() {
		defer close(c.done)
		defer resp.Body.Close()
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: ") {
				c.events.Add(1)
			}
		}
	}()
	return c
}

func (c *dashboardClient) close() int64 {
	c.cancel()
	<-c.done
	return c.events.Load()
}

// chunked downloads size bytes as chunk-sized ranges with workers in
// parallel, as a resumable downloader does, and returns MB/s. Every range
// is a journal entry, so an open dashboard has something to follow.
func chunked(b *testing.B, c *http.Client, url string, size, chunk int64, workers int) float64 {
	b.Helper()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for {
				from := next.Add(chunk) - chunk
				if from >= size {
					return
				}
				to := min(from+chunk, size) - 1
				n, err := fetch(c, url, from, to, buf)
				if err == nil && n != to-from+1 {
					err = fmt.Errorf("range %d-%d: got %d bytes", from, to, n)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return float64(size) / time.Since(start).Seconds() / 1e6
}

// cpuTime is the CPU time this process has used (user + system).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDownloadWithDashboardOpen: 1 GiB in 256 KiB ranges over 8
// connections, with and without a dashboard client following the event
// stream, alternated (ABBA) in the same run. ratio is the throughput with the
// page open over without (target >= 0.95); on a machine shared with other
// work it swings with their load, so cpu-ratio also compares the CPU time the
// whole process (server and client) spent per run without and with the page:
// what the page costs, whatever else runs.
func BenchmarkDownloadWithDashboardOpen(b *testing.B) {
	// 256 KiB ranges: 4,096 journal entries per run, so the page gets
	// several updates while the download runs (at most one per 250 ms).
	const size, chunk, workers = gib, 256 << 10, 8
	c, url, docSize := synthetic(b, size)
	base := strings.SplitN(url, "/v1/", 2)[0]
	b.SetBytes(2 * docSize)
	b.ResetTimer()
	var without, with float64
	var cpuWithout, cpuWith time.Duration
	var events int64
	alone := func() {
		start := cpuTime(b)
		without += chunked(b, c, url, docSize, chunk, workers)
		cpuWithout += cpuTime(b) - start
	}
	withPage := func() {
		start := cpuTime(b)
		d := openDashboard(b, base)
		with += chunked(b, c, url, docSize, chunk, workers)
		events += d.close()
		cpuWith += cpuTime(b) - start
	}
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			alone()
			withPage()
		} else {
			withPage()
			alone()
		}
	}
	if events == 0 {
		b.Fatal("the dashboard client received no update during the downloads: the ratio would measure nothing")
	}
	b.ReportMetric(without/float64(b.N), "alone-MB/s")
	b.ReportMetric(with/float64(b.N), "with-dashboard-MB/s")
	b.ReportMetric(float64(events)/float64(b.N), "sse-events/op")
	b.ReportMetric(with/without, "ratio")
	b.ReportMetric(cpuWithout.Seconds()/cpuWith.Seconds(), "cpu-ratio")
}
