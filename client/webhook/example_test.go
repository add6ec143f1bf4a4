package webhook_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/webhook"
)

func Example() {
	dir, _ := os.MkdirTemp("", "webhook-example")
	defer os.RemoveAll(dir)
	store, err := jobs.Open(filepath.Join(dir, "jobs.db"), jobs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	// In a real app: webhook.Options{Secret: ..., Check: downloader.Check, Logger: ...},
	// and http.ListenAndServe(addr, h).
	h := webhook.New(store, webhook.Options{Secret: "s3cret"})

	// Event Grid validates the subscription (Event Grid schema)...
	req := httptest.NewRequest("POST", "/api/events?code=s3cret", strings.NewReader(
		`[{"id":"1","topic":"t","subject":"","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent",
		  "data":{"validationCode":"512d38b6","validationUrl":"https://x"},"dataVersion":"1","metadataVersion":"1","eventTime":"2025-07-01T12:00:00Z"}]`))
	req.Header.Set("aeg-event-type", "SubscriptionValidation")
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())

	// ... then delivers a recording's chunks, here as a CloudEvent.
	req = httptest.NewRequest("POST", "/api/events?code=s3cret", strings.NewReader(
		`{"specversion":"1.0","id":"e1","source":"/acs","type":"Microsoft.Communication.RecordingFileStatusUpdated",
		  "subject":"/recording/call/c/serverCallId/s/recordingId/r1",
		  "data":{"recordingStorageInfo":{"recordingChunks":[{"documentId":"0-eus-d1-ab","index":0,
		    "contentLocation":"https://us-storage.asm.skype.com/v1/objects/0-eus-d1-ab/content/audio",
		    "metadataLocation":"https://us-storage.asm.skype.com/v1/objects/0-eus-d1-ab/content/acsmetadata"}]},
		    "recordingFormatType":"Mp3","recordingContentType":"Audio","recordingChannelType":"Mixed","recordingStartTime":"2025-07-01T12:00:00Z"}}`))
	req.Header.Set("aeg-event-type", "Notification")
	req.Header.Set("Content-Type", "application/cloudevents+json; charset=utf-8")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	j, _ := store.Get("0-eus-d1-ab")
	fmt.Println(w.Code, j.State, j.Format, j.RecordingID)
	// Output:
	// 200 {"validationResponse":"512d38b6"}
	// 200 pending mp3 r1
}
