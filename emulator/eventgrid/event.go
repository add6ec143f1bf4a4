package eventgrid

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Event is an event to publish. Zero fields take defaults when published: ID
// a seeded GUID, Topic the engine's topic, EventTime the clock's now. JSON
// uses the Event Grid schema's names, so a []Event marshals as an Event Grid
// array.
type Event struct {
	ID          string          `json:"id,omitempty"`
	Topic       string          `json:"topic,omitempty"`
	Subject     string          `json:"subject"`
	EventType   string          `json:"eventType"`
	DataVersion string          `json:"dataVersion,omitempty"`
	EventTime   time.Time       `json:"eventTime,omitzero"`
	Data        json.RawMessage `json:"data,omitempty"`
}

// ceAttr is a CloudEvents attribute without an Event field (datacontenttype,
// dataschema, data_base64, extensions), kept as published.
type ceAttr struct {
	name  string
	value json.RawMessage
}

// event is a published event, shared by every subscription it was routed
// to. Everything but the lazily decoded objects is immutable once queued.
type event struct {
	Event
	metadataVersion string
	ceExtra         []ceAttr // sorted by name
	publishTime     time.Time
	size            int64 // bytes charged to queues: the larger rendering

	eg, ce       []byte // renderings, set at publish
	egOnce       sync.Once
	ceOnce       sync.Once
	egObj, ceObj map[string]any
}

// rendered is the event's JSON object in schema.
func (ev *event) rendered(schema Schema) []byte {
	if schema == CloudEventSchema {
		return ev.ce
	}
	return ev.eg
}

// object is the decoded rendering in schema (for filters and dynamic
// delivery attributes), computed once.
func (ev *event) object(schema Schema) map[string]any {
	if schema == CloudEventSchema {
		ev.ceOnce.Do(func() { _ = json.Unmarshal(ev.ce, &ev.ceObj) })
		return ev.ceObj
	}
	ev.egOnce.Do(func() { _ = json.Unmarshal(ev.eg, &ev.egObj) })
	return ev.egObj
}

// eventTimeFormat is how event times are written (UTC, up to 100 ns as Azure).
const eventTimeFormat = "2006-01-02T15:04:05.9999999Z07:00"

type egWire struct {
	ID              string          `json:"id"`
	Topic           string          `json:"topic"`
	Subject         string          `json:"subject"`
	Data            json.RawMessage `json:"data"`
	EventType       string          `json:"eventType"`
	DataVersion     string          `json:"dataVersion"`
	MetadataVersion string          `json:"metadataVersion"`
	EventTime       string          `json:"eventTime"`
}

// render computes both renderings.
func (ev *event) render() error {
	data := ev.Data
	if data == nil {
		// An event published as CloudEvents with binary data keeps it as
		// the base64 string in the Event Grid schema.
		for _, a := range ev.ceExtra {
			if a.name == "data_base64" {
				data = a.value
			}
		}
	}
	eg, err := json.Marshal(egWire{
		ID: ev.ID, Topic: ev.Topic, Subject: ev.Subject, Data: data, EventType: ev.EventType,
		DataVersion: ev.DataVersion, MetadataVersion: ev.metadataVersion,
		EventTime: ev.EventTime.UTC().Format(eventTimeFormat),
	})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(`{"specversion":"1.0"`)
	writeAttr(&b, "id", ev.ID)
	writeAttr(&b, "source", ev.Topic)
	writeAttr(&b, "type", ev.EventType)
	if ev.Subject != "" {
		writeAttr(&b, "subject", ev.Subject)
	}
	writeAttr(&b, "time", ev.EventTime.UTC().Format(eventTimeFormat))
	for _, a := range ev.ceExtra {
		b.WriteString(`,"` + a.name + `":`)
		b.Write(a.value)
	}
	if ev.Data != nil {
		b.WriteString(`,"data":`)
		if err := json.Compact(&b, ev.Data); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	ev.eg, ev.ce = eg, b.Bytes()
	ev.size = int64(max(len(ev.eg), len(ev.ce)))
	return nil
}

func writeAttr(b *bytes.Buffer, name, value string) {
	v, _ := json.Marshal(value)
	b.WriteString(`,"` + name + `":`)
	b.Write(v)
}

// lookupPath follows a dotted path (case-insensitive, exact case first)
// through a decoded event and returns the header value of what it finds.
func lookupPath(obj map[string]any, path string) (string, bool) {
	var cur any = obj
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		v, found := m[part]
		if !found {
			for k, kv := range m {
				if strings.EqualFold(k, part) {
					v, found = kv, true
					break
				}
			}
		}
		if !found {
			return "", false
		}
		cur = v
	}
	switch v := cur.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
}
