package eventgrid

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"sort"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

// MaxPublishBody bounds one POST /_emulator/events body.
const MaxPublishBody = 16 << 20

// parsePublished reads the body of POST /_emulator/events: an Event Grid
// array (or single event), a CloudEvents structured event or a CloudEvents
// batch. Elements with "specversion" are CloudEvents.
func parsePublished(contentType string, body []byte) ([]*event, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, badEvent("the body is empty; send an Event Grid JSON array or CloudEvents JSON")
	}
	var raws []json.RawMessage
	switch body[0] {
	case '[':
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, badEvent("the body is not a JSON array of events: %v", err)
		}
	case '{':
		raws = []json.RawMessage{body}
	default:
		return nil, badEvent("the body must be a JSON object or array")
	}
	if len(raws) == 0 {
		return nil, badEvent("the array holds no events")
	}
	out := make([]*event, 0, len(raws))
	for i, raw := range raws {
		if len(raw) > MaxEventSize {
			return nil, tooLarge(i, len(raw))
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, badEvent("event %d is not a JSON object: %v", i, err)
		}
		_, isCE := probe["specversion"]
		if mt == "application/cloudevents+json" || mt == "application/cloudevents-batch+json" {
			isCE = true
		}
		var ev *event
		var err error
		if isCE {
			ev, err = parseCloudEvent(i, probe)
		} else {
			ev, err = parseEventGrid(i, raw)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

func badEvent(format string, args ...any) *wire.Error {
	return wire.Errorf(http.StatusBadRequest, "InvalidEvent", format, args...)
}

func tooLarge(i, n int) *wire.Error {
	return wire.Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge",
		"event %d is %d bytes; Event Grid accepts at most %d bytes (1 MB) per event", i, n, MaxEventSize)
}

func parseEventGrid(i int, raw json.RawMessage) (*event, error) {
	var in struct {
		ID              string          `json:"id"`
		Topic           string          `json:"topic"`
		Subject         string          `json:"subject"`
		EventType       string          `json:"eventType"`
		EventTime       string          `json:"eventTime"`
		DataVersion     string          `json:"dataVersion"`
		MetadataVersion string          `json:"metadataVersion"`
		Data            json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, badEvent("event %d: %v", i, err)
	}
	if in.EventType == "" {
		return nil, badEvent("event %d: eventType is required (an Event Grid event needs id, subject, eventType, eventTime, data, dataVersion; a CloudEvent needs specversion)", i)
	}
	ev := &event{Event: Event{ID: in.ID, Topic: in.Topic, Subject: in.Subject, EventType: in.EventType,
		DataVersion: in.DataVersion, Data: in.Data}, metadataVersion: in.MetadataVersion}
	if in.EventTime != "" {
		t, err := time.Parse(time.RFC3339Nano, in.EventTime)
		if err != nil {
			return nil, badEvent("event %d: eventTime %q is not an RFC 3339 time", i, in.EventTime)
		}
		ev.EventTime = t
	}
	return ev, nil
}

func parseCloudEvent(i int, attrs map[string]json.RawMessage) (*event, error) {
	str := func(name string) (string, error) {
		raw, ok := attrs[name]
		if !ok {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", badEvent("event %d: CloudEvents attribute %q must be a string", i, name)
		}
		return s, nil
	}
	get := func(name string, dst *string) error {
		v, err := str(name)
		*dst = v
		return err
	}
	var spec, timeStr string
	ev := &event{}
	for name, dst := range map[string]*string{"specversion": &spec, "id": &ev.ID, "source": &ev.Topic,
		"type": &ev.EventType, "subject": &ev.Subject, "time": &timeStr} {
		if err := get(name, dst); err != nil {
			return nil, err
		}
	}
	if spec != "1.0" {
		return nil, badEvent("event %d: specversion must be \"1.0\" (got %q)", i, spec)
	}
	if ev.EventType == "" {
		return nil, badEvent("event %d: the CloudEvents attribute \"type\" is required", i)
	}
	if timeStr != "" {
		t, err := time.Parse(time.RFC3339Nano, timeStr)
		if err != nil {
			return nil, badEvent("event %d: time %q is not an RFC 3339 time", i, timeStr)
		}
		ev.EventTime = t
	}
	if d, ok := attrs["data"]; ok {
		ev.Data = d
	}
	if _, ok := attrs["data_base64"]; ok && ev.Data != nil {
		return nil, badEvent("event %d: data and data_base64 are mutually exclusive", i)
	}
	for name, value := range attrs {
		switch name {
		case "specversion", "id", "source", "type", "subject", "time", "data":
			continue
		}
		if !validAttrName(name) {
			return nil, badEvent("event %d: %q is not a valid CloudEvents attribute name (lower-case letters and digits)", i, name)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, value); err != nil {
			return nil, badEvent("event %d: attribute %q: %v", i, name, err)
		}
		ev.ceExtra = append(ev.ceExtra, ceAttr{name: name, value: c.Bytes()})
	}
	sort.Slice(ev.ceExtra, func(a, b int) bool { return ev.ceExtra[a].name < ev.ceExtra[b].name })
	return ev, nil
}

// validAttrName allows CloudEvents attribute names (and data_base64).
func validAttrName(name string) bool {
	if name == "data_base64" {
		return true
	}
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
