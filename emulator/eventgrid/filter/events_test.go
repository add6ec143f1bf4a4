package filter_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
)

// recordingData is the data of a Microsoft.Communication.RecordingFileStatusUpdated
// event as ACS sends it (reference/acs-wire.md), with two chunks.
const recordingData = `{
  "recordingStorageInfo": {"recordingChunks": [
    {"documentId": "0-eus-d12-801b3f3fc462fe8a01e6810cbff729b8", "index": 0, "endReason": "ChunkMaximumSizeExceeded",
     "contentLocation": "https://storage.asm.skype.com/v1/objects/0-eus-d12-801b3f3fc462fe8a01e6810cbff729b8/content/audio",
     "metadataLocation": "https://storage.asm.skype.com/v1/objects/0-eus-d12-801b3f3fc462fe8a01e6810cbff729b8/content/acsmetadata",
     "deleteLocation": "https://storage.asm.skype.com/v1/objects/0-eus-d12-801b3f3fc462fe8a01e6810cbff729b8"},
    {"documentId": "0-eus-d12-5c9e0d6a1b2c3d4e5f60718293a4b5c6", "index": 1, "endReason": "SessionEnded",
     "contentLocation": "https://storage.asm.skype.com/v1/objects/0-eus-d12-5c9e0d6a1b2c3d4e5f60718293a4b5c6/content/audio",
     "metadataLocation": "https://storage.asm.skype.com/v1/objects/0-eus-d12-5c9e0d6a1b2c3d4e5f60718293a4b5c6/content/acsmetadata",
     "deleteLocation": "https://storage.asm.skype.com/v1/objects/0-eus-d12-5c9e0d6a1b2c3d4e5f60718293a4b5c6"}
  ]},
  "recordingStartTime": "2021-07-27T15:20:23.6089755Z",
  "recordingDurationMs": 6620,
  "sessionEndReason": "CallEnded",
  "recordingContentType": "Audio",
  "recordingChannelType": "Mixed",
  "recordingFormatType": "Mp3"
}`

const (
	topic   = "/subscriptions/5bd3d1c2-7e2a-4c4e-9c0b-3f1e4e9b1a11/resourcegroups/acsemu-rg/providers/microsoft.communication/communicationservices/acsemu-eus"
	subject = "/recording/call/4f1a2b3c-5d6e-7f80-91a2-b3c4d5e6f708/serverCallId/aHR0cHM6Ly9hcGkuZmxpZ2h0cHJveHk/recordingId/eyJQbGF0Zm9ybUVuZHBvaW50SWQiOiIifQ"
	typ     = "Microsoft.Communication.RecordingFileStatusUpdated"
)

// eventGridJSON and cloudEventJSON are the same event in the two delivery
// schemas, shaped as Event Grid delivers them.
var (
	eventGridJSON = `{"id": "7dec6eed-129c-43f3-a2bf-6a9c2c1d1a8a", "topic": "` + topic + `",
  "subject": "` + subject + `", "data": ` + recordingData + `,
  "eventType": "` + typ + `", "dataVersion": "1.0", "metadataVersion": "1",
  "eventTime": "2021-07-27T15:20:34.2199328Z"}`

	cloudEventJSON = `{"specversion": "1.0", "type": "` + typ + `", "source": "` + topic + `",
  "subject": "` + subject + `", "id": "7dec6eed-129c-43f3-a2bf-6a9c2c1d1a8a",
  "time": "2021-07-27T15:20:34.2199328Z", "data": ` + recordingData + `}`
)

// decorations are added to data in the tests because the real payload has no
// boolean, no null and no array of scalars, which several operators need. The
// names say what the values stand for; ACS does not send them.
var decorations = map[string]any{
	"pauseOnStart":          false,
	"externalStorage":       nil,
	"chunkEndReasons":       []any{"ChunkMaximumSizeExceeded", "SessionEnded"},
	"chunkDurationsMs":      []any{3600000, 6620},
	"chunkPaused":           []any{false, true},
	"recordingStorageEntry": map[string]any{"region": "eus", "shard": map[string]any{"index": 12}},
}

type decoding struct {
	name      string
	useNumber bool
}

// decodings are both ways the delivery engine may decode events.
var decodings = []decoding{{"float64", false}, {"json.Number", true}}

// schemas pairs each delivery schema with its fixture.
var schemas = []struct {
	schema filter.Schema
	json   string
}{
	{filter.EventGridSchema, eventGridJSON},
	{filter.CloudEventSchema, cloudEventJSON},
}

// decode decodes an event the way the delivery engine would.
func decode(t testing.TB, raw string, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	if useNumber {
		dec.UseNumber()
	}
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return ev
}

// decorated returns the fixture with decorations (re-encoded, so the numbers
// take the decoding under test) and extra top-level properties.
func decorated(t testing.TB, raw string, useNumber bool, top map[string]any) map[string]any {
	t.Helper()
	ev := decode(t, raw, false)
	data := ev["data"].(map[string]any)
	for k, v := range decorations {
		data[k] = v
	}
	for k, v := range top {
		ev[k] = v
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, string(b), useNumber)
}

// parseSpec decodes a filter as the control plane receives it.
func parseSpec(t testing.TB, raw string, useNumber bool) filter.Spec {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	if useNumber {
		dec.UseNumber()
	}
	dec.DisallowUnknownFields()
	var s filter.Spec
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("decode spec %s: %v", raw, err)
	}
	return s
}
