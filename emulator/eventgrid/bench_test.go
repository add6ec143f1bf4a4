package eventgrid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// okWebhook validates and accepts everything, reading each body.
func okWebhook(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("aeg-event-type") == "SubscriptionValidation" {
			var evs []struct {
				Data struct{ ValidationCode string } `json:"data"`
			}
			_ = json.Unmarshal(body, &evs)
			_ = json.NewEncoder(w).Encode(map[string]string{"validationResponse": evs[0].Data.ValidationCode})
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkDelivery measures events per second delivered one per request to
// a local webhook answering 200 over keep-alive, against a plain Go client
// posting the same payloads to the same webhook in the same run. Reported:
// events/s (engine), baseline-req/s and ratio (engine / baseline).
func BenchmarkDelivery(b *testing.B) {
	hook := okWebhook(b)
	n := max(b.N, 1000)

	// Baseline: the same bodies, sequentially, one keep-alive connection.
	body := []byte(`[` + mustRender(b) + `]`)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	start := time.Now()
	for range n {
		req, _ := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	baseline := float64(n) / time.Since(start).Seconds()

	e, err := eventgrid.New(eventgrid.Options{MaxQueuedEvents: n})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if _, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "bench", EndpointURL: hook.URL}); err != nil {
		b.Fatal(err)
	}
	evs := make([]eventgrid.Event, n)
	for i := range evs {
		evs[i] = recordingEvent(fmt.Sprint(i))
	}
	b.ResetTimer()
	start = time.Now()
	for i := 0; i < n; i += 1000 {
		if err := e.Publish(context.Background(), evs[i:min(i+1000, n)]...); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Drain(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	rate := float64(n) / time.Since(start).Seconds()
	b.StopTimer()
	if s, _ := e.Subscription("bench"); s.Delivered != int64(n) {
		b.Fatalf("delivered %d of %d", s.Delivered, n)
	}
	b.ReportMetric(rate, "events/s")
	b.ReportMetric(baseline, "baseline-req/s")
	b.ReportMetric(rate/baseline, "ratio")
}

func mustRender(b *testing.B) string {
	ev := recordingEvent("x")
	raw, err := json.Marshal(map[string]any{"id": ev.ID, "topic": eventgrid.DefaultTopic, "subject": ev.Subject, "data": ev.Data,
		"eventType": ev.EventType, "dataVersion": ev.DataVersion, "metadataVersion": "1", "eventTime": ev.EventTime})
	if err != nil {
		b.Fatal(err)
	}
	return string(raw)
}

// BenchmarkQueueMemory measures the heap held by 100,000 RecordingFileStatusUpdated
// events queued for a webhook that does not answer.
func BenchmarkQueueMemory(b *testing.B) {
	const queued = 100_000
	for range b.N {
		release := make(chan struct{})
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				w.Header().Set("WebHook-Allowed-Origin", "*")
				return
			}
			select { // down: the first delivery never gets an answer
			case <-r.Context().Done():
			case <-release:
			}
		}))
		e, err := eventgrid.New(eventgrid.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: "down", EndpointURL: hook.URL,
			EventDeliverySchema: eventgrid.CloudEventSchema}); err != nil {
			b.Fatal(err)
		}
		evs := make([]eventgrid.Event, 1000)
		before := heap()
		for i := 0; i < queued; i += len(evs) {
			for j := range evs {
				evs[j] = recordingEvent(fmt.Sprint(i + j))
			}
			if err := e.Publish(context.Background(), evs...); err != nil {
				b.Fatal(err)
			}
		}
		after := heap()
		if s, _ := e.Subscription("down"); s.Queued != queued {
			b.Fatalf("queued %d", s.Queued)
		}
		err = e.Publish(context.Background(), recordingEvent("one more"))
		if err == nil {
			b.Fatal("the queue is not bounded")
		}
		b.ReportMetric(float64(after-before)/(1<<20), "MB/100k-events")
		b.ReportMetric(float64(after-before)/queued, "B/event")
		close(release)
		_ = e.Close()
		hook.Close()
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
