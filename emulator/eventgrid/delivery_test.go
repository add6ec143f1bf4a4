package eventgrid_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func TestRetriesFollowTheSchedule(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: status(500, 500)})
	e, m := newEngine(t, eventgrid.Options{Seed: 1})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "retry", EndpointURL: hook.URL})
	if err := e.Publish(context.Background(), recordingEvent("ev-1")); err != nil {
		t.Fatal(err)
	}
	drain(t, e, m, "retry")

	got := hook.received()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3", len(got))
	}
	for i, r := range got {
		if c := r.Header.Get("aeg-delivery-count"); c != fmt.Sprint(i) {
			t.Errorf("delivery %d: aeg-delivery-count %q", i, c)
		}
	}
	as := e.Attempts(eventgrid.AttemptFilter{Subscription: "retry"})
	if len(as) != 3 {
		t.Fatalf("%d attempts journaled", len(as))
	}
	want := []struct {
		status      int
		outcome     string
		disposition string
	}{{500, "GenericError", "Retrying"}, {500, "GenericError", "Retrying"}, {200, "Delivered", "Delivered"}}
	for i, a := range as {
		if a.Attempt != i || a.Status != want[i].status || a.Outcome != want[i].outcome || a.Disposition != want[i].disposition ||
			len(a.EventIDs) != 1 || a.EventIDs[0] != "ev-1" {
			t.Errorf("attempt %d: %+v", i, a)
		}
	}
	if !as[0].NominalTime.Equal(t0) {
		t.Errorf("first attempt at %v, want the publish time %v", as[0].NominalTime, t0)
	}
	for i, base := range []time.Duration{10 * time.Second, 30 * time.Second} {
		gap := as[i+1].NominalTime.Sub(as[i].NominalTime)
		if gap < base || gap >= base+base/10 {
			t.Errorf("gap %d is %v, want %v plus at most 10%%", i, gap, base)
		}
		if !as[i].NextAttemptNominal.Equal(as[i+1].NominalTime) {
			t.Errorf("attempt %d announced %v, the next came at %v", i, as[i].NextAttemptNominal, as[i+1].NominalTime)
		}
	}
	if !as[2].NextAttemptNominal.IsZero() {
		t.Errorf("the last attempt announces another at %v", as[2].NextAttemptNominal)
	}
	if s, _ := e.Subscription("retry"); s.Delivered != 1 || s.Queued != 0 {
		t.Errorf("counters %+v", s)
	}
}

func TestRetryDelays(t *testing.T) {
	steps := []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 10 * time.Minute,
		30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 12 * time.Hour}
	for i, d := range steps {
		if got := eventgrid.RetryDelay(i, 500); got != d {
			t.Errorf("after attempt %d: %v, want %v", i, got, d)
		}
	}
	for _, tc := range []struct {
		status int
		want   time.Duration
	}{{408, 2 * time.Minute}, {503, 30 * time.Second}, {404, 5 * time.Minute}, {401, 5 * time.Minute}, {429, 10 * time.Second}, {0, 10 * time.Second}} {
		if got := eventgrid.RetryDelay(0, tc.status); got != tc.want {
			t.Errorf("first retry after %d: %v, want %v", tc.status, got, tc.want)
		}
	}
	if got := eventgrid.RetryDelay(4, 408); got != 10*time.Minute {
		t.Errorf("a floor lower than the step changes it: %v", got)
	}
}

func TestNotRetriedStatusesDeadLetterAtOnce(t *testing.T) {
	for _, code := range []int{400, 401, 403, 413} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			hook := newWebhook(t, hookCfg{notify: always(code)})
			dir := t.TempDir()
			e, m := newEngine(t, eventgrid.Options{DeadLetterDir: dir})
			subscribe(t, e, eventgrid.SubscriptionSpec{Name: "My-Sub", EndpointURL: hook.URL, DeadLetter: true})
			if err := e.Publish(context.Background(), recordingEvent("ev-dl")); err != nil {
				t.Fatal(err)
			}
			// Not retried, so no clock time is needed: wait for the dead letter before
			// drain pumps the clock, or a slow first attempt is dated an hour later.
			eventually(t, "the dead letter", func() bool { return len(e.DeadLetters("My-Sub")) == 1 })
			drain(t, e, m, "My-Sub")
			if n := len(hook.received()); n != 1 {
				t.Fatalf("%d deliveries, want 1", n)
			}
			dls := e.DeadLetters("My-Sub")
			if len(dls) != 1 {
				t.Fatalf("%d dead letters", len(dls))
			}
			dl := dls[0]
			outcome := map[int]string{400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 413: "PayloadTooLarge"}[code]
			if dl.DeadLetterReason != "MaxDeliveryAttemptsExceeded" || dl.DeliveryAttempts != 1 ||
				dl.LastDeliveryOutcome != outcome || dl.LastHTTPStatusCode != code || dl.EventID != "ev-dl" {
				t.Errorf("dead letter %+v", dl)
			}
			// The record is the event plus the dead-letter fields.
			var rec map[string]any
			if err := json.Unmarshal(dl.Record, &rec); err != nil {
				t.Fatal(err)
			}
			for k, v := range map[string]any{"id": "ev-dl", "eventType": "Microsoft.Communication.RecordingFileStatusUpdated",
				"deadLetterReason": "MaxDeliveryAttemptsExceeded", "deliveryAttempts": 1.0, "lastDeliveryOutcome": outcome,
				"lastHttpStatusCode": float64(code), "publishTime": "2024-05-01T12:00:00Z", "lastDeliveryAttemptTime": "2024-05-01T12:00:00Z"} {
				if rec[k] != v {
					t.Errorf("record %s = %v, want %v", k, rec[k], v)
				}
			}
			if _, ok := rec["data"].(map[string]any); !ok {
				t.Errorf("record without data: %s", dl.Record)
			}
			// Azure's blob layout: upper-case name, unpadded date and hour.
			if !strings.HasPrefix(dl.BlobPath, "MY-SUB/2024/5/1/12/") || !strings.HasSuffix(dl.BlobPath, ".json") {
				t.Errorf("blob path %q", dl.BlobPath)
			}
			file, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(dl.BlobPath)))
			if err != nil {
				t.Fatal(err)
			}
			var blob []json.RawMessage
			if err := json.Unmarshal(file, &blob); err != nil || len(blob) != 1 {
				t.Fatalf("blob %s: %v", file, err)
			}
			a := e.Attempts(eventgrid.AttemptFilter{})
			if len(a) != 1 || a[0].Disposition != "DeadLettered" || a[0].Outcome != outcome {
				t.Errorf("attempts %+v", a)
			}
		})
	}
}

func TestUndeliverableWithoutDeadLetterIsDropped(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: always(400)})
	e, m := newEngine(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "drop", EndpointURL: hook.URL})
	_ = e.Publish(context.Background(), recordingEvent("x"))
	drain(t, e, m, "drop")
	if s, _ := e.Subscription("drop"); s.Dropped != 1 || len(e.DeadLetters("")) != 0 {
		t.Errorf("dropped %d, dead letters %d", s.Dropped, len(e.DeadLetters("")))
	}
	if a := e.Attempts(eventgrid.AttemptFilter{Outcome: "dropped"}); len(a) != 1 {
		t.Errorf("attempts %+v", a)
	}
}

func TestMaxDeliveryAttempts(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: always(503)})
	// A real clock and a tiny time scale: the schedule runs in milliseconds.
	e, _ := newEngine(t, eventgrid.Options{Clock: clock.Real{}, TimeScale: 0.0001})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "max", EndpointURL: hook.URL, DeadLetter: true,
		RetryPolicy: eventgrid.RetryPolicy{MaxDeliveryAttempts: 4}})
	_ = e.Publish(context.Background(), recordingEvent("m1"))
	drain(t, e, nil, "max")
	as := e.Attempts(eventgrid.AttemptFilter{Subscription: "max"})
	if len(as) != 4 || len(hook.received()) != 4 {
		t.Fatalf("%d attempts, %d deliveries; want 4", len(as), len(hook.received()))
	}
	// 503 has a 30 s floor: 30 s (not 10 s), 30 s, 1 min.
	for i, base := range []time.Duration{30 * time.Second, 30 * time.Second, time.Minute} {
		if gap := as[i+1].NominalTime.Sub(as[i].NominalTime); gap < base || gap >= base+base/10 {
			t.Errorf("gap %d: %v, want %v", i, gap, base)
		}
	}
	dl := e.DeadLetters("max")
	if len(dl) != 1 || dl[0].DeadLetterReason != "MaxDeliveryAttemptsExceeded" || dl[0].DeliveryAttempts != 4 ||
		dl[0].LastDeliveryOutcome != "Busy" || dl[0].LastHTTPStatusCode != 503 || !dl[0].LastDeliveryAttemptTime.Equal(as[3].NominalTime) {
		t.Errorf("dead letters %+v", dl)
	}
}

func TestTimeToLiveCloudEvents(t *testing.T) {
	hook := newWebhook(t, hookCfg{notify: always(500)})
	e, m := newEngine(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "ttl", EndpointURL: hook.URL, DeadLetter: true,
		EventDeliverySchema: eventgrid.CloudEventSchema, RetryPolicy: eventgrid.RetryPolicy{EventTimeToLiveInMinutes: 1}})
	_ = e.Publish(context.Background(), recordingEvent("t1"))
	drain(t, e, m, "ttl")
	// Attempts at 0, ~10 s and ~40 s; the next is due at ~1 min 40 s, past
	// the 1-minute TTL, so the event is dead-lettered then, unsent.
	as := e.Attempts(eventgrid.AttemptFilter{Subscription: "ttl"})
	if len(as) != 3 || len(hook.received()) != 3 {
		t.Fatalf("%d attempts, want 3", len(as))
	}
	dl := e.DeadLetters("ttl")
	if len(dl) != 1 {
		t.Fatalf("%d dead letters", len(dl))
	}
	if dl[0].DeadLetterReason != "TimeToLiveExceeded" || dl[0].DeliveryAttempts != 3 || dl[0].LastDeliveryOutcome != "GenericError" ||
		dl[0].LastHTTPStatusCode != 500 || !dl[0].Time.Equal(as[2].NextAttemptNominal) {
		t.Errorf("dead letter %+v (attempts %+v)", dl[0], as)
	}
	// CloudEvents dead letters spell the fields in lower case.
	var rec map[string]any
	_ = json.Unmarshal(dl[0].Record, &rec)
	for _, k := range []string{"deadletterreason", "deliveryattempts", "lastdeliveryoutcome", "lasthttpstatuscode", "publishtime", "lastdeliveryattempttime", "specversion", "source", "type"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("CloudEvents dead letter without %q: %s", k, dl[0].Record)
		}
	}
}

func TestBatching(t *testing.T) {
	small := func(i int) eventgrid.Event {
		return eventgrid.Event{ID: fmt.Sprintf("e%02d", i), Subject: "/s", EventType: "T", Data: json.RawMessage(`{"n":1}`)}
	}
	padded := func(i, size int) eventgrid.Event {
		ev := small(i)
		ev.Data = json.RawMessage(`{"pad":"` + strings.Repeat("x", size) + `"}`)
		return ev
	}
	for _, tc := range []struct {
		name   string
		schema eventgrid.Schema
		max    int
		kb     int
		events []eventgrid.Event
		sizes  []int
	}{
		{"count", eventgrid.EventGridSchema, 4, 64, []eventgrid.Event{small(0), small(1), small(2), small(3), small(4), small(5), small(6), small(7), small(8), small(9)}, []int{4, 4, 2}},
		{"bytes", eventgrid.EventGridSchema, 100, 1, []eventgrid.Event{padded(0, 200), padded(1, 200), padded(2, 200), padded(3, 200), padded(4, 200)}, []int{2, 2, 1}},
		{"oversized alone", eventgrid.CloudEventSchema, 100, 1, []eventgrid.Event{padded(0, 100), padded(1, 2000), padded(2, 100), padded(3, 100)}, []int{1, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hook := newWebhook(t, hookCfg{})
			e, m := newEngine(t, eventgrid.Options{})
			subscribe(t, e, eventgrid.SubscriptionSpec{Name: "batch", EndpointURL: hook.URL, EventDeliverySchema: tc.schema,
				MaxEventsPerBatch: tc.max, PreferredBatchSizeInKilobytes: tc.kb})
			if err := e.Publish(context.Background(), tc.events...); err != nil {
				t.Fatal(err)
			}
			drain(t, e, m, "batch")
			var sizes []int
			var ids []string
			for _, r := range hook.received() {
				var arr []map[string]any
				if err := json.Unmarshal(r.Body, &arr); err != nil {
					t.Fatalf("body is not an array: %s", r.Body)
				}
				want := "application/json; charset=utf-8"
				if tc.schema == eventgrid.CloudEventSchema {
					want = "application/cloudevents-batch+json; charset=utf-8"
				}
				if ct := r.Header.Get("Content-Type"); ct != want {
					t.Errorf("Content-Type %q, want %q", ct, want)
				}
				if len(arr) > 1 && len(r.Body) > tc.kb<<10 {
					t.Errorf("a batch of %d events is %d bytes, over %d KB", len(arr), len(r.Body), tc.kb)
				}
				sizes = append(sizes, len(arr))
				for _, ev := range arr {
					ids = append(ids, ev["id"].(string))
				}
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tc.sizes) {
				t.Errorf("batch sizes %v, want %v", sizes, tc.sizes)
			}
			if len(ids) != len(tc.events) {
				t.Errorf("delivered %v", ids)
			}
		})
	}
}

func TestFilteredOutEventsAreNeverDelivered(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	e, m := newEngine(t, eventgrid.Options{})
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "filtered", EndpointURL: hook.URL, Filter: api.EventFilter{
		IncludedEventTypes: []string{"Microsoft.Communication.RecordingFileStatusUpdated"},
		SubjectBeginsWith:  "/recording/call/",
		AdvancedFilters: []api.AdvancedFilter{
			{OperatorType: "StringIn", Key: "data.recordingFormatType", Values: []any{"mp3"}},
			{OperatorType: "NumberGreaterThan", Key: "data.recordingDurationMs", Value: 1000.0},
		},
	}})
	wrongType := recordingEvent("wrong-type")
	wrongType.EventType = "Microsoft.Communication.CallStarted"
	wrongSubject := recordingEvent("wrong-subject")
	wrongSubject.Subject = "/other"
	wrongData := recordingEvent("wrong-data")
	wrongData.Data = json.RawMessage(strings.Replace(recordingData, `"Mp3"`, `"Wav"`, 1))
	short := recordingEvent("short")
	short.Data = json.RawMessage(strings.Replace(recordingData, `6620`, `999`, 1))
	if err := e.Publish(context.Background(), wrongType, recordingEvent("match-1"), wrongSubject, wrongData, short, recordingEvent("match-2")); err != nil {
		t.Fatal(err)
	}
	drain(t, e, m, "filtered")
	var ids []string
	for _, r := range hook.received() {
		var arr []struct{ ID string }
		_ = json.Unmarshal(r.Body, &arr)
		for _, ev := range arr {
			ids = append(ids, ev.ID)
		}
	}
	if fmt.Sprint(ids) != "[match-1 match-2]" {
		t.Errorf("delivered %v", ids)
	}
	for _, id := range []string{"wrong-type", "wrong-subject", "wrong-data", "short"} {
		if a := e.Attempts(eventgrid.AttemptFilter{EventID: id}); len(a) != 0 {
			t.Errorf("%s was attempted: %+v", id, a)
		}
	}
}

func TestQueryStringAndDeliveryAttributes(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	e, m := newEngine(t, eventgrid.Options{})
	spec := eventgrid.SubscriptionSpec{Name: "attrs", EndpointURL: hook.URL + "/hook?code=s3cret&tenant=a%20b",
		DeliveryAttributeMappings: []eventgrid.DeliveryAttribute{
			{Name: "X-Static", Type: "Static", Value: "fixed"},
			{Name: "Authorization", Type: "Static", Value: "Bearer t0ken", IsSecret: true},
			{Name: "X-Format", Type: "Dynamic", SourceField: "data.recordingFormatType"},
			{Name: "X-Duration", Type: "Dynamic", SourceField: "data.recordingDurationMs"},
			{Name: "X-Missing", Type: "Dynamic", SourceField: "data.nothing"},
		}}
	sub := subscribe(t, e, spec)
	if v := sub.DeliveryAttributeMappings[1].Value; v != "" {
		t.Errorf("the secret is shown: %q", v)
	}
	// Sending the shown settings back keeps the secret.
	if _, err := e.UpdateSubscription(context.Background(), sub.SubscriptionSpec); err != nil {
		t.Fatal(err)
	}
	_ = e.Publish(context.Background(), recordingEvent("a1"))
	drain(t, e, m, "attrs")
	r := hook.received()[0]
	if r.Query != "code=s3cret&tenant=a%20b" {
		t.Errorf("query %q", r.Query)
	}
	for _, v := range hook.validations() {
		if v.Query != r.Query {
			t.Errorf("the handshake lost the query: %q", v.Query)
		}
	}
	for k, v := range map[string]string{"X-Static": "fixed", "Authorization": "Bearer t0ken", "X-Format": "Mp3", "X-Duration": "6620"} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if _, ok := r.Header["X-Missing"]; ok {
		t.Error("a dynamic attribute with no source value was sent")
	}
}
