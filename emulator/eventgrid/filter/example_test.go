package filter_test

import (
	"encoding/json"
	"fmt"

	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
)

// A subscription that only wants finished MP3 recordings longer than five
// seconds, checked against a RecordingFileStatusUpdated event.
func Example() {
	var spec filter.Spec
	_ = json.Unmarshal([]byte(`{
	  "includedEventTypes": ["Microsoft.Communication.RecordingFileStatusUpdated"],
	  "subjectBeginsWith": "/recording/call/",
	  "advancedFilters": [
	    {"operatorType": "StringIn", "key": "data.recordingFormatType", "values": ["mp3"]},
	    {"operatorType": "NumberGreaterThan", "key": "data.recordingDurationMs", "value": 5000}
	  ]}`), &spec)
	if err := spec.Validate(filter.EventGridSchema); err != nil {
		fmt.Println(err)
		return
	}

	var event map[string]any
	_ = json.Unmarshal([]byte(`{
	  "id": "7dec6eed-129c-43f3-a2bf-6a9c2c1d1a8a",
	  "topic": "/subscriptions/0000/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs",
	  "subject": "/recording/call/4f1a/serverCallId/aHR0/recordingId/eyJQ",
	  "eventType": "Microsoft.Communication.RecordingFileStatusUpdated",
	  "dataVersion": "1.0", "metadataVersion": "1", "eventTime": "2021-07-27T15:20:34.2199328Z",
	  "data": {"recordingDurationMs": 6620, "recordingFormatType": "Mp3", "sessionEndReason": "CallEnded"}}`), &event)
	fmt.Println("delivered:", spec.Match(filter.EventGridSchema, event))

	// Validation names the field Azure would reject.
	spec.AdvancedFilters[1].Value = "5000"
	fmt.Println(spec.Validate(filter.EventGridSchema))
	// Output:
	// delivered: true
	// invalid event subscription filter: advancedFilters[1].value: NumberGreaterThan needs a number, got string "5000"
}
