package eventgrid_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
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

// fillFilteredSubscriptions makes n subscriptions filtered on the recording
// event type and publishes batches until Publish refuses; it returns the error.
func fillFilteredSubscriptions(t testing.TB, e *eventgrid.Engine, hook string, n int) error {
	for i := range n {
		if _, err := e.CreateSubscription(context.Background(), eventgrid.SubscriptionSpec{Name: fmt.Sprintf("sub%02d", i), EndpointURL: hook,
			EventDeliverySchema: eventgrid.CloudEventSchema,
			Filter:              filter.Spec{IncludedEventTypes: []string{"Microsoft.Communication.RecordingFileStatusUpdated"}}}); err != nil {
			t.Fatal(err)
		}
	}
	evs := make([]eventgrid.Event, 10)
	for i := 0; i < 10_000_000; i += len(evs) {
		for j := range evs {
			evs[j] = recordingEvent(fmt.Sprint(i + j))
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
