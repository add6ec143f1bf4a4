package emulator_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azsystemevents"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func TestCreatingARecordingDeliversItsFileEventToSubscribers(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	hook := emulatortest.NewWebhook(t)
	ctl := srv.Control()
	sub, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "recordings", EndpointURL: hook.URL,
		Filter: eventgridFilterForRecordings()})
	if err != nil || sub.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("subscription: %+v %v", sub, err)
	}
	rec, err := ctl.CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(90 * time.Second),
		ChannelType: "unmixed", ParticipantCount: 3, ChunkSizeLimit: 3_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if err := ctl.Drain(t.Context(), "recordings", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	var body []byte
	select {
	case n := <-hook.Received():
		body = n.Body
	default:
		t.Fatal("drained, but the webhook got no event")
	}
	var raw []struct {
		Subject   string          `json:"subject"`
		EventType string          `json:"eventType"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) != 1 {
		t.Fatalf("body %s: %v", body, err)
	}
	if raw[0].EventType != "Microsoft.Communication.RecordingFileStatusUpdated" || raw[0].Subject != rec.Subject {
		t.Fatalf("event %s %s", raw[0].EventType, raw[0].Subject)
	}
	var data azsystemevents.ACSRecordingFileStatusUpdatedEventData
	if err := json.Unmarshal(raw[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	chunks := data.RecordingStorageInfo.RecordingChunks
	if len(chunks) != 3 || *data.RecordingDurationMS != rec.DurationMs || *data.RecordingChannelType != azsystemevents.ACSRecordingChannelTypeUnmixed {
		t.Fatalf("data %+v", data)
	}
	for i, c := range chunks {
		d := rec.Documents[i]
		if *c.DocumentID != d.ID || *c.ContentLocation != d.ContentLocation || *c.MetadataLocation != d.MetadataLocation || *c.DeleteLocation != d.DeleteLocation || int(*c.Index) != i {
			t.Fatalf("chunk %d: %+v vs %+v", i, c, d)
		}
	}
	if *chunks[2].EndReason != "SessionEnded" || *chunks[0].EndReason != "ChunkMaximumSizeExceeded" {
		t.Fatal("end reasons")
	}
}
