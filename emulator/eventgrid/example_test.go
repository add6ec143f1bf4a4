package eventgrid_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// A webhook that answers the validation handshake, fails the first delivery
// and accepts the retry. The test drives time with a Manual clock.
func Example() {
	var failures atomic.Int32
	failures.Store(1)
	webhook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("aeg-event-type") == "SubscriptionValidation" {
			var evs []struct {
				Data struct{ ValidationCode string } `json:"data"`
			}
			_ = json.Unmarshal(body, &evs)
			_ = json.NewEncoder(w).Encode(map[string]string{"validationResponse": evs[0].Data.ValidationCode})
			return
		}
		if failures.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer webhook.Close()

	clk := clock.NewManual(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	engine, err := eventgrid.New(eventgrid.Options{Clock: clk, Seed: 1})
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	ctx := context.Background()
	sub, _ := engine.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "recordings", EndpointURL: webhook.URL})
	fmt.Println("subscription:", sub.ProvisioningState)

	_ = engine.Publish(ctx, eventgrid.Event{
		ID:        "event-1",
		Subject:   "/recording/call/c1/serverCallId/s1/recordingId/r1",
		EventType: "Microsoft.Communication.RecordingFileStatusUpdated",
		Data:      json.RawMessage(`{"recordingStorageInfo":{"recordingChunks":[]}}`),
	})
	// The 503 schedules a retry at least 30 s later; move the clock until
	// the queue is empty.
	for {
		wait, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		err := engine.Drain(wait, "recordings")
		cancel()
		if err == nil {
			break
		}
		clk.Advance(time.Minute)
	}
	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, a := range engine.Attempts(eventgrid.AttemptFilter{Subscription: "recordings"}) {
		fmt.Printf("attempt %d: %d %s -> %s, nominally at +%v\n",
			a.Attempt, a.Status, a.Outcome, a.Disposition, a.NominalTime.Sub(start).Truncate(time.Millisecond))
	}
	// Output:
	// subscription: Succeeded
	// attempt 0: 503 Busy -> Retrying, nominally at +0s
	// attempt 1: 200 Delivered -> Delivered, nominally at +31.518s
}
