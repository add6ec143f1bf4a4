package benchmarks

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/journal"
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
	// A snapshot is one line of some 100 KB: start small, allow far more.
	sc.Buffer(make([]byte, 64<<10), 64<<20)
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
// stream. Each op runs alone, with, with, alone (ABBA), so drift in the
// machine's load falls on both sides, and each adjacent pair gives a ratio:
//
//   - cpu-ratio, the primary figure: the CPU time the whole process (server
//     and client) spent per run alone over with the page, the median over
//     the pairs. It is what the page costs, whatever else runs on the
//     machine (target >= 0.97).
//   - ratio: the throughput with the page over without, median over the
//     pairs (target >= 0.95). On a machine shared with other work it swings
//     with their load, so it is printed but read with cpu-ratio.
//
// Each run starts from a full journal and a collected heap, so one run's
// garbage is not charged to the next.
func BenchmarkDownloadWithDashboardOpen(b *testing.B) {
	// 256 KiB ranges: 4,096 journal entries per run, so the page gets
	// several updates while the download runs (at most one per 250 ms).
	const size, chunk, workers = gib, 256 << 10, 8
	srv, c, url, docSize := syntheticServer(b, size)
	base := strings.SplitN(url, "/v1/", 2)[0]
	// Warm up, then fill the journal to its bound with what the download
	// journaled: every run then finds the journal (and the heap the
	// collector marks) as large as it stays, instead of the first runs
	// finding it smaller than the last.
	chunked(b, c, url, docSize, chunk, workers)
	j := srv.Journal()
	seen := j.Query(journal.Filter{})
	if len(seen) == 0 {
		b.Fatal("the download journaled nothing")
	}
	for j.Dropped() == 0 {
		for _, e := range seen {
			j.Add(e)
		}
	}
	b.SetBytes(4 * docSize)
	b.ResetTimer()
	type run struct {
		mbps float64
		cpu  time.Duration
	}
	var events int64
	measure := func(page bool) run {
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		start := cpuTime(b)
		var d *dashboardClient
		if page {
			d = openDashboard(b, base)
		}
		r := run{mbps: chunked(b, c, url, docSize, chunk, workers)}
		if page {
			events += d.close()
		}
		r.cpu = cpuTime(b) - start
		return r
	}
	var alone, with []run // alone[i] and with[i] ran next to each other
	for b.Loop() {
		a1 := measure(false)
		w1 := measure(true)
		w2 := measure(true)
		a2 := measure(false)
		alone, with = append(alone, a1, a2), append(with, w1, w2)
	}
	if events == 0 {
		b.Fatal("the dashboard client received no update during the downloads: the ratio would measure nothing")
	}
	var ratios, cpuRatios []float64
	var aloneMBps, withMBps float64
	for i := range alone {
		ratios = append(ratios, with[i].mbps/alone[i].mbps)
		cpuRatios = append(cpuRatios, alone[i].cpu.Seconds()/with[i].cpu.Seconds())
		aloneMBps += alone[i].mbps
		withMBps += with[i].mbps
	}
	// Every pair, so a reader sees the spread the medians come from.
	b.Logf("per pair: ratio %.3f; cpu-ratio %.3f", ratios, cpuRatios)
	b.ReportMetric(aloneMBps/float64(len(alone)), "alone-MB/s")
	b.ReportMetric(withMBps/float64(len(with)), "with-dashboard-MB/s")
	b.ReportMetric(float64(events)/float64(len(with)), "sse-events/run")
	b.ReportMetric(median(ratios), "ratio")
	b.ReportMetric(median(cpuRatios), "cpu-ratio")
}

// median is the middle value (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
