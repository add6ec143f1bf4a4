package webhook_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const validationEG = `[{"id":"2d1781af-3a4c-4d7c-bd0c-e34b19da4e66","topic":"/subscriptions/x","subject":"",
 "data":{"validationCode":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6","validationUrl":"https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/estest/validate?id=1"},
 "eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","eventTime":"2018-01-25T22:12:19.4556811Z","metadataVersion":"1","dataVersion":"1"}]`

// recordingData is the data of a RecordingFileStatusUpdated event with the given chunk documents.
func recordingData(host string, docs ...string) string {
	var chunks []string
	for i, d := range docs {
		obj := host + "/v1/objects/" + d
		chunks = append(chunks, fmt.Sprintf(`{"documentId":%q,"index":%d,"endReason":"SessionEnded","contentLocation":%q,"metadataLocation":%q,"deleteLocation":%q}`,
			d, i, obj+"/content/audio", obj+"/content/acsmetadata", obj))
	}
	return `{"recordingStorageInfo":{"recordingChunks":[` + strings.Join(chunks, ",") + `]},
 "recordingStartTime":"2021-07-27T15:20:23.6089755Z","recordingDurationMs":6620,"sessionEndReason":"CallEnded",
 "recordingContentType":"Audio","recordingChannelType":"Mixed","recordingFormatType":"Mp3"}`
}

const subject = "/recording/call/c1/serverCallId/sc1/recordingId/rec1"

func egEvent(id, data string) string {
	return fmt.Sprintf(`{"id":%q,"topic":"/subscriptions/s/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs","subject":%q,
 "data":%s,"eventType":"Microsoft.Communication.RecordingFileStatusUpdated","dataVersion":"1.0","metadataVersion":"1","eventTime":"2021-07-27T15:20:34.2199328Z"}`, id, subject, data)
}

func ceEvent(id, typ, data string) string {
	return fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"/subscriptions/s/providers/microsoft.communication/communicationservices/acs","subject":%q,
 "type":%q,"time":"2021-07-27T15:20:34.2199328Z","data":%s}`, id, subject, typ, data)
}

func newStore(t *testing.T) *jobs.Store {
	t.Helper()
	s, err := jobs.Open(filepath.Join(t.TempDir(), "jobs.db"), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// send posts body to h and returns the recorder. It sends what Event Grid
// sends (a JSON Notification) unless header says otherwise ("" removes).
func send(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("aeg-event-type", "Notification")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestEventGridValidation(t *testing.T) {
	h := webhook.New(newStore(t), webhook.Options{})
	w := send(h, "POST", "/api/events", validationEG, "aeg-event-type", "SubscriptionValidation", "Content-Type", "application/json")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"validationResponse":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	// The same body as a notification is not answered with the code.
	w = send(h, "POST", "/api/events", validationEG, "aeg-event-type", "Notification")
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = send(h, "POST", "/api/events", `[{"id":"1","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{}}]`, "aeg-event-type", "SubscriptionValidation")
	if w.Code != 400 {
		t.Fatalf("validation without a code: %d", w.Code)
	}
	if s := h.Stats(); s.Validations != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestCloudEventsHandshake(t *testing.T) {
	h := webhook.New(newStore(t), webhook.Options{})
	w := send(h, "OPTIONS", "/api/events", "", "WebHook-Request-Origin", "eventgrid.azure.net", "WebHook-Request-Rate", "120")
	if w.Code != 200 || w.Header().Get("WebHook-Allowed-Origin") != "eventgrid.azure.net" ||
		w.Header().Get("WebHook-Allowed-Rate") != "*" || w.Header().Get("Allow") != "POST" {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	if w = send(h, "OPTIONS", "/api/events", "", "WebHook-Request-Origin", "evil.example"); w.Code != 403 || w.Header().Get("WebHook-Allowed-Origin") != "" {
		t.Fatalf("other origin: %d %v", w.Code, w.Header())
	}
	any := webhook.New(newStore(t), webhook.Options{AllowedOrigins: []string{"*"}, AllowedRate: "10"})
	if w = send(any, "OPTIONS", "/", "", "WebHook-Request-Origin", "other.example"); w.Code != 200 ||
		w.Header().Get("WebHook-Allowed-Origin") != "other.example" || w.Header().Get("WebHook-Allowed-Rate") != "10" {
		t.Fatalf("wildcard: %d %v", w.Code, w.Header())
	}
}

func TestNotificationsInEverySchemaQueueJobs(t *testing.T) {
	const host = "https://us-storage.asm.skype.com"
	for _, c := range []struct {
		name, body string
		header     []string
	}{
		{"event grid", "[" + egEvent("e1", recordingData(host, "doc-a", "doc-b")) + "]", []string{"aeg-event-type", "Notification", "Content-Type", "application/json; charset=utf-8"}},
		{"cloudevents single", ceEvent("e1", "Microsoft.Communication.RecordingFileStatusUpdated", recordingData(host, "doc-a", "doc-b")),
			[]string{"aeg-event-type", "Notification", "Content-Type", "application/cloudevents+json; charset=utf-8"}},
		{"cloudevents batch", "[" + ceEvent("e1", "Microsoft.Communication.RecordingFileStatusUpdated", recordingData(host, "doc-a")) + "," +
			ceEvent("e2", "Microsoft.Communication.RecordingFileStatusUpdated", recordingData(host, "", "doc-b")) + "]",
			[]string{"Content-Type", "application/cloudevents-batch+json; charset=utf-8"}},
		{"cloudevents binary", recordingData(host, "doc-a", "doc-b"), []string{"ce-specversion", "1.0", "ce-id", "e1", "ce-source", "/x",
			"ce-type", "Microsoft.Communication.RecordingFileStatusUpdated", "ce-subject", subject, "Content-Type", "application/json"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := newStore(t)
			check := func(j jobs.Job) error {
				if j.DocumentID == "" {
					return errors.New("no id")
				}
				return nil
			}
			h := webhook.New(store, webhook.Options{Check: check})
			if w := send(h, "POST", "/api/events", c.body, c.header...); w.Code != 200 {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			all, _ := store.List()
			if len(all) != 2 {
				t.Fatalf("jobs %+v", all)
			}
			a := all[0]
			if a.DocumentID != "doc-a" || a.State != jobs.Pending || a.Format != "mp3" || a.RecordingID != "rec1" || a.EventID != "e1" ||
				a.ContentLocation != host+"/v1/objects/doc-a/content/audio" || a.MetadataLocation != host+"/v1/objects/doc-a/content/acsmetadata" {
				t.Errorf("job %+v", a)
			}
			if all[1].DocumentID != "doc-b" || all[1].Index != 1 {
				t.Errorf("job %+v", all[1])
			}
		})
	}
}

func TestDuplicatesAndOtherEvents(t *testing.T) {
	store := newStore(t)
	h := webhook.New(store, webhook.Options{})
	body := "[" + egEvent("e1", recordingData("https://h", "doc-a", "doc-b")) + "]"
	for range 5 {
		if w := send(h, "POST", "/", body, "aeg-event-type", "Notification"); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	// A second event naming one of the documents, and an event of another type.
	other := `{"id":"x","subject":"s","eventType":"Microsoft.Communication.CallEnded","data":{"a":1},"dataVersion":"1"}`
	if w := send(h, "POST", "/", "["+egEvent("e2", recordingData("https://h", "doc-b"))+","+other+"]", "aeg-event-type", "Notification"); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if all, _ := store.List(); len(all) != 2 {
		t.Fatalf("%d jobs", len(all))
	}
	if s := h.Stats(); s.Accepted != 2 || s.Duplicates != 9 || s.Ignored != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestBadRequests(t *testing.T) {
	store := newStore(t)
	h := webhook.New(store, webhook.Options{MaxBody: 4096, Secret: "s3cret"})
	ok := "/api?code=s3cret"
	good := "[" + egEvent("e1", recordingData("https://h", "doc-a")) + "]"
	for _, c := range []struct {
		name, method, target, body string
		header                     []string
		want                       int
	}{
		{"no secret", "POST", "/api", good, nil, 401},
		{"wrong secret", "POST", "/api?code=s3cre", good, nil, 401},
		{"handshake without secret", "OPTIONS", "/api", "", []string{"WebHook-Request-Origin", "eventgrid.azure.net"}, 401},
		{"get", "GET", ok, "", nil, 405},
		{"too large", "POST", ok, "[" + strings.Repeat(" ", 5000) + "]", nil, 413},
		{"malformed", "POST", ok, `[{"id":`, nil, 400},
		{"not json", "POST", ok, `hello`, nil, 400},
		{"empty", "POST", ok, ``, nil, 400},
		{"array of numbers", "POST", ok, `[1,2]`, nil, 400},
		{"no event type", "POST", ok, `[{"id":"1","data":{}}]`, nil, 400},
		{"bad data", "POST", ok, "[" + egEvent("e1", `"nope"`) + "]", nil, 400},
		{"no storage info", "POST", ok, "[" + egEvent("e1", `{}`) + "]", nil, 400},
		{"bad specversion", "POST", ok, strings.Replace(ceEvent("e", "t", "{}"), `"1.0"`, `"0.3"`, 1), nil, 400},
		{"unknown aeg-event-type", "POST", ok, good, []string{"aeg-event-type", "Surprise"}, 400},
		{"xml", "POST", ok, good, []string{"Content-Type", "application/xml"}, 415},
		{"deletion", "POST", ok, good, []string{"aeg-event-type", "SubscriptionDeletion"}, 200},
		{"good", "POST", ok, good, []string{"aeg-event-type", "Notification"}, 200},
		// A browser page can post these cross-origin without a preflight.
		{"text/plain", "POST", ok, good, []string{"Content-Type", "text/plain"}, 415},
		{"form", "POST", ok, good, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"no content type", "POST", ok, good, []string{"Content-Type", ""}, 415},
		{"no aeg-event-type", "POST", ok, good, []string{"aeg-event-type", ""}, 400},
	} {
		w := send(h, c.method, c.target, c.body, c.header...)
		if w.Code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, w.Code, w.Body, c.want)
		}
		if w.Code >= 400 && w.Code != 405 && !json.Valid(w.Body.Bytes()) {
			t.Errorf("%s: error body %q is not JSON", c.name, w.Body)
		}
	}
	if all, _ := store.List(); len(all) != 1 {
		t.Errorf("%d jobs, want the good one only", len(all))
	}
}

// memSink accepts everything (the fuzzer runs in many processes: no shared database).
type memSink struct{}

func (memSink) Add(js ...jobs.Job) ([]jobs.Job, error) { return js, nil }

type failingSink struct{}

func (failingSink) Add(...jobs.Job) ([]jobs.Job, error) { return nil, errors.New("disk full") }

// When the work cannot be stored, Event Grid must retry: 500.
func TestStoreFailureIsRetried(t *testing.T) {
	h := webhook.New(failingSink{}, webhook.Options{})
	if w := send(h, "POST", "/", "["+egEvent("e1", recordingData("https://h", "doc-a"))+"]"); w.Code != 500 {
		t.Fatalf("%d", w.Code)
	}
}

func FuzzHandler(f *testing.F) {
	f.Add(validationEG, "SubscriptionValidation")
	f.Add("["+egEvent("e1", recordingData("https://h", "doc-a"))+"]", "Notification")
	f.Add(ceEvent("e1", "Microsoft.Communication.RecordingFileStatusUpdated", recordingData("https://h", "d")), "")
	f.Add(`[{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"!!"}]`, "")
	h := webhook.New(memSink{}, webhook.Options{MaxBody: 64 << 10})
	f.Fuzz(func(t *testing.T, body, kind string) {
		w := send(h, "POST", "/", body, "aeg-event-type", kind)
		switch w.Code {
		case 200, 400, 413:
		default:
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}

// BenchmarkNotification is the webhook's answer time for one recording
// event with three chunks, stored durably (bbolt commit with fsync).
func BenchmarkNotification(b *testing.B) {
	store, err := jobs.Open(filepath.Join(b.TempDir(), "jobs.db"), jobs.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	h := webhook.New(store, webhook.Options{})
	i := 0
	for b.Loop() {
		i++
		body := "[" + egEvent("e", recordingData("https://h", fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i), fmt.Sprintf("c%d", i))) + "]"
		if w := send(h, "POST", "/", body, "aeg-event-type", "Notification"); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
