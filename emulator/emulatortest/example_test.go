package emulatortest_test

import (
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// A test starts an emulator and a webhook, subscribes the webhook and
// receives the event of a new recording.
func TestExampleWebhookReceivesARecordingEvent(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	hook := emulatortest.NewWebhook(t)
	ctl := srv.Control()
	if _, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "recordings", EndpointURL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(5 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-hook.Received():
		if n.Header.Get("aeg-event-type") != "Notification" || n.Header.Get("aeg-delivery-count") != "0" {
			t.Fatalf("headers %v", n.Header)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
}
