package eventgrid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azsystemevents"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// checkRecordingData parses data with the Azure SDK's model.
func checkRecordingData(t *testing.T, data []byte) {
	t.Helper()
	var d azsystemevents.ACSRecordingFileStatusUpdatedEventData
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("azsystemevents: %v", err)
	}
	chunks := d.RecordingStorageInfo.RecordingChunks
	if len(chunks) != 1 || *chunks[0].DocumentID != "0-eus-d12-801b" || *chunks[0].EndReason != "SessionEnded" ||
		*d.RecordingFormatType != azsystemevents.ACSRecordingFormatTypeMP3 || *d.RecordingDurationMS != 6620 ||
		!d.RecordingStartTime.Equal(time.Date(2021, 7, 27, 15, 20, 23, 608975500, time.UTC)) {
		t.Errorf("parsed data %+v", d)
	}
}

func TestEventGridSchemaParsesWithAzureSDK(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	e, m := newEngine(t, eventgrid.Options{Topic: "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Communication/CommunicationServices/acs"})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "eg-sdk", EndpointURL: hook.URL})
	if err := e.Publish(context.Background(), recordingEvent("rec-1")); err != nil {
		t.Fatal(err)
	}
	drain(t, e, m, "eg-sdk")
	r := hook.received()[0]
	for k, v := range map[string]string{
		"Content-Type": "application/json; charset=utf-8", "aeg-event-type": "Notification",
		"aeg-subscription-name": "EG-SDK", "aeg-delivery-count": "0", "aeg-data-version": "1.0", "aeg-metadata-version": "1",
	} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if r.Header.Get("aeg-output-event-id") == "" {
		t.Error("no aeg-output-event-id")
	}
	var evs []azsystemevents.EventGridEvent
	if err := json.Unmarshal(r.Body, &evs); err != nil || len(evs) != 1 {
		t.Fatalf("%s: %v", r.Body, err)
	}
	ev := evs[0]
	if *ev.ID != "rec-1" || *ev.EventType != string(azsystemevents.TypeACSRecordingFileStatusUpdated) ||
		*ev.Subject != "/recording/call/c1/serverCallId/s1/recordingId/r1" || *ev.DataVersion != "1.0" || *ev.MetadataVersion != "1" ||
		*ev.Topic != "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Communication/CommunicationServices/acs" ||
		!ev.EventTime.Equal(time.Date(2021, 7, 27, 15, 20, 34, 219932800, time.UTC)) {
		t.Errorf("event %s", r.Body)
	}
	checkRecordingData(t, ev.Data.([]byte))
}

func TestCloudEventsSchemaParsesWithCloudEventsSDK(t *testing.T) {
	for _, batch := range []int{1, 10} {
		hook := newWebhook(t, hookCfg{})
		e, m := newEngine(t, eventgrid.Options{Topic: "/subscriptions/1/topic"})
		subscribe(t, e, eventgrid.SubscriptionSpec{Name: "ce-sdk", EndpointURL: hook.URL,
			EventDeliverySchema: eventgrid.CloudEventSchema, MaxEventsPerBatch: batch})
		if err := e.Publish(context.Background(), recordingEvent("ce-1"), recordingEvent("ce-2")); err != nil {
			t.Fatal(err)
		}
		drain(t, e, m, "ce-sdk")
		var ids []string
		for _, r := range hook.received() {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(r.Body))
			req.Header = r.Header
			if batch == 1 {
				if ct := r.Header.Get("Content-Type"); ct != "application/cloudevents+json; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				ev, err := cehttp.NewEventFromHTTPRequest(req)
				if err != nil {
					t.Fatalf("CloudEvents SDK: %v (%s)", err, r.Body)
				}
				if ev.SpecVersion() != "1.0" || ev.Source() != "/subscriptions/1/topic" || ev.Type() != "Microsoft.Communication.RecordingFileStatusUpdated" ||
					ev.Subject() != "/recording/call/c1/serverCallId/s1/recordingId/r1" || ev.Time().IsZero() {
					t.Errorf("event %s", ev)
				}
				if err := ev.Validate(); err != nil {
					t.Error(err)
				}
				checkRecordingData(t, ev.Data())
				ids = append(ids, ev.ID())
				continue
			}
			evs, err := cehttp.NewEventsFromHTTPRequest(req)
			if err != nil {
				t.Fatalf("CloudEvents SDK batch: %v (%s)", err, r.Body)
			}
			for _, ev := range evs {
				checkRecordingData(t, ev.Data())
				ids = append(ids, ev.ID())
			}
		}
		if len(ids) != 2 || ids[0] != "ce-1" || ids[1] != "ce-2" {
			t.Errorf("batch %d: ids %v", batch, ids)
		}
	}
}

func TestPublishedCloudEventsKeepTheirAttributes(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	e, m := newEngine(t, eventgrid.Options{})
	srv := httptest.NewServer(emulator.NewControlHandler(emulator.ControlParts{Events: e}))
	defer srv.Close()
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "ce", EndpointURL: hook.URL, EventDeliverySchema: eventgrid.CloudEventSchema})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "eg", EndpointURL: hook.URL})
	body := `{"specversion":"1.0","id":"x1","source":"/my/source","type":"My.Type","subject":"s","time":"2024-01-02T03:04:05Z",
		"datacontenttype":"application/json","myext":"v","data":{"k":1}}`
	code, resp := httpDo(t, http.MethodPost, srv.URL+"/_emulator/events", "application/cloudevents+json", body)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, resp)
	}
	drain(t, e, m, "ce")
	drain(t, e, m, "eg")
	var ce, eg received
	for _, r := range hook.received() {
		if r.Header.Get("aeg-subscription-name") == "CE" {
			ce = r
		} else {
			eg = r
		}
	}
	var got map[string]any
	_ = json.Unmarshal(ce.Body, &got)
	if got["myext"] != "v" || got["datacontenttype"] != "application/json" || got["source"] != "/my/source" || got["id"] != "x1" {
		t.Errorf("CloudEvents delivery %s", ce.Body)
	}
	var egEvs []map[string]any
	_ = json.Unmarshal(eg.Body, &egEvs)
	if len(egEvs) != 1 || egEvs[0]["topic"] != "/my/source" || egEvs[0]["eventType"] != "My.Type" || egEvs[0]["eventTime"] != "2024-01-02T03:04:05Z" {
		t.Errorf("Event Grid delivery %s", eg.Body)
	}
}
