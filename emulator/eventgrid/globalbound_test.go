package eventgrid_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/wire"
)

// downWebhook grants the CloudEvents handshake, then never answers a delivery
// until the test ends, so every queue only grows.
func downWebhook(t testing.TB) *httptest.Server {
	release := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set("WebHook-Allowed-Origin", "*")
			return
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hook.Close() })
	return hook
}

// fillFilteredSubscriptions makes n subscriptions, each filtered on its own
// subject prefix, and publishes batches (each event for one of them) until
// Publish refuses; it returns the error.
func fillFilteredSubscriptions(t testing.TB, e *eventgrid.Engine, hook string, n int) error {
	for i := range n {
		if _, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: fmt.Sprintf("sub%02d", i), EndpointURL: hook,
			EventDeliverySchema: eventgrid.CloudEventSchema,
			Filter: api.EventFilter{IncludedEventTypes: []string{"Microsoft.Communication.RecordingFileStatusUpdated"},
				SubjectBeginsWith: fmt.Sprintf("/recording/call/c%02d/", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	evs := make([]eventgrid.Event, 10)
	for i := 0; i < 10_000_000; i += len(evs) {
		for j := range evs {
			evs[j] = recordingEvent(fmt.Sprint(i + j))
			evs[j].Subject = fmt.Sprintf("/recording/call/c%02d/serverCallId/s1/recordingId/r%d", (i+j)%n, i+j)
		}
		if err := e.Publish(context.Background(), evs...); err != nil {
			return err
		}
	}
	t.Fatal("publishing never stopped")
	return nil
}

func TestPublishIsThrottledWhenAllQueuesTogetherAreFull(t *testing.T) {
	const total = 2 << 20
	e, err := eventgrid.New(eventgrid.Options{MaxTotalQueuedBytes: total})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	hook := downWebhook(t)
	err = fillFilteredSubscriptions(t, e, hook.URL, 8)
	var we *wire.Error
	if !errors.As(err, &we) || we.Status != http.StatusTooManyRequests || we.Header.Get("Retry-After") == "" {
		t.Fatalf("publishing past the total bound: %v, want 429 with Retry-After", err)
	}
	var sum int64
	for _, s := range e.Subscriptions() {
		sum += s.QueuedBytes
		if s.QueuedBytes == 0 || s.Queued == 0 {
			t.Fatalf("%s holds nothing", s.Name)
		}
	}
	if sum != e.QueuedBytes() || sum > total || sum < total*3/4 {
		t.Fatalf("subscriptions hold %d bytes (engine says %d), bound %d", sum, e.QueuedBytes(), total)
	}
	// Deleting a subscription frees its share: publishing works again.
	if err := e.DeleteSubscription("sub00"); err != nil {
		t.Fatal(err)
	}
	if err := e.Publish(context.Background(), recordingEvent("after")); err != nil {
		t.Fatalf("after freeing room: %v", err)
	}
}

// rssHelperEnv makes TestQueueRSSHelper run: the benchmark starts this test
// binary again so that resident memory is measured in a fresh process.
const rssHelperEnv = "ACSEMU_QUEUE_RSS_HELPER"

// TestQueueRSSHelper fills 40 filtered subscriptions up to a 64 MiB total
// bound and prints the accounted bytes, the heap and the resident memory
// they grew by. It does nothing unless started by BenchmarkQueueRSS40Subscriptions.
func TestQueueRSSHelper(t *testing.T) {
	if os.Getenv(rssHelperEnv) == "" {
		t.Skip("run by BenchmarkQueueRSS40Subscriptions")
	}
	e, err := eventgrid.New(eventgrid.Options{MaxTotalQueuedBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	hook := downWebhook(t)
	heapBefore, rssBefore := heapAlloc(), rss()
	var we *wire.Error
	if err := fillFilteredSubscriptions(t, e, hook.URL, 40); !errors.As(err, &we) || we.Status != http.StatusTooManyRequests {
		t.Fatalf("filling: %v", err)
	}
	fmt.Printf("accounted=%d heap=%d rss=%d\n", e.QueuedBytes(), heapAlloc()-heapBefore, rss()-rssBefore)
}

// BenchmarkQueueRSS40Subscriptions prints the resident memory and the heap
// that 40 full filtered subscriptions grow a fresh process by, as ratios of
// the bytes their queues account (before the fix: 2.66 GB of RSS for 800 MB
// accounted, 3.3x).
func BenchmarkQueueRSS40Subscriptions(b *testing.B) {
	for range b.N {
		cmd := exec.Command(os.Args[0], "-test.run=^TestQueueRSSHelper$", "-test.v")
		cmd.Env = append(os.Environ(), rssHelperEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		var accounted, heapGrowth, rssGrowth float64
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "accounted=") {
				fmt.Sscanf(line, "accounted=%g heap=%g rss=%g", &accounted, &heapGrowth, &rssGrowth)
			}
		}
		if accounted == 0 {
			b.Fatalf("no figures in %s", out)
		}
		b.ReportMetric(accounted/(1<<20), "accounted-MiB")
		b.ReportMetric(rssGrowth/(1<<20), "rss-growth-MiB")
		b.ReportMetric(rssGrowth/accounted, "rss/accounted")
		b.ReportMetric(heapGrowth/accounted, "heap/accounted")
	}
}

// rss reads this process's resident set size from /proc (Linux; 0 elsewhere).
func rss() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func heapAlloc() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// An event every subscription receives is held once: the total counts it
// once, and nothing stays counted once the subscriptions are gone.
func TestTheTotalCountsASharedEventOnce(t *testing.T) {
	e, err := eventgrid.New(eventgrid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	hook := downWebhook(t)
	for i := range 8 {
		if _, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: fmt.Sprintf("all%d", i), EndpointURL: hook.URL,
			EventDeliverySchema: eventgrid.CloudEventSchema}); err != nil {
			t.Fatal(err)
		}
	}
	evs := make([]eventgrid.Event, 500)
	for i := range evs {
		evs[i] = recordingEvent(fmt.Sprint(i))
	}
	if err := e.Publish(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}
	var perQueue int64
	for _, s := range e.Subscriptions() {
		perQueue += s.QueuedBytes
	}
	if total := e.QueuedBytes(); total <= 0 || total*4 > perQueue {
		t.Fatalf("total %d for %d charged by the 8 queues: a shared event must count once", total, perQueue)
	}
	for i := range 8 {
		if err := e.DeleteSubscription(fmt.Sprintf("all%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if total := e.QueuedBytes(); total != 0 {
		t.Fatalf("%d bytes still counted with no subscription", total)
	}
}
