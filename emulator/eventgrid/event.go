package eventgrid

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// ceAttr is a CloudEvents attribute without an Event field (datacontenttype,
// dataschema, data_base64, extensions), kept as published.
type ceAttr struct {
	name  string
	value json.RawMessage
}

// event is a published event, shared by every subscription it was routed
// to. Once rendered, only the rendering is kept (the data once, and the
// envelope of each schema around it), and everything but the lazily decoded
// objects is immutable.
type event struct {
	Event           // after render only ID and DataVersion are kept
	metadataVersion string
	ceExtra         []ceAttr // sorted by name; dropped after render
	publishTime     time.Time

	data           []byte // compacted data; nil when the event has none
	egData         []byte // what the Event Grid schema puts in "data"
	egHead, egTail []byte // {"id":...,"data": | ,"eventType":...}
	ceHead         []byte // {"specversion":"1.0",... without data and the closing brace
	egLen, ceLen   int
	size           int64 // the larger rendering, for the 1 MB limit
	// mem is what the event holds in memory while queued (see memSize);
	// refs counts the queues holding it, so the engine's total counts it once.
	mem  int64
	refs atomic.Int32
}

var (
	jsonNull   = []byte("null")
	ceDataName = []byte(`,"data":`)
)

// appendTo appends the event's JSON object in schema to b.
func (ev *event) appendTo(b []byte, schema Schema) []byte {
	if schema == CloudEventSchema {
		b = append(b, ev.ceHead...)
		if ev.data != nil {
			b = append(append(b, ceDataName...), ev.data...)
		}
		return append(b, '}')
	}
	return append(append(append(b, ev.egHead...), ev.egData...), ev.egTail...)
}

// length is the size of the event's JSON object in schema.
func (ev *event) length(schema Schema) int {
	if schema == CloudEventSchema {
		return ev.ceLen
	}
	return ev.egLen
}

// rendered is the event's JSON object in schema (a new slice).
func (ev *event) rendered(schema Schema) []byte {
	return ev.appendTo(make([]byte, 0, ev.length(schema)), schema)
}

// object is the decoded rendering in schema (for filters and dynamic
// delivery attributes). It is not kept on the event: a decoded map costs
// several times the JSON, and kept on every queued event it tripled the
// memory the queues held (40 filtered subscriptions: 2.66 GB for 800 MB).
func (ev *event) object(schema Schema) map[string]any {
	var obj map[string]any
	_ = json.Unmarshal(ev.rendered(schema), &obj)
	return obj
}

// queueSlotCost is what one queue entry costs beyond the event: the pointer
// in the ring and its share of slack.
const queueSlotCost = 16

// memSize is the bytes a rendered event holds: the struct, its renderings
// and data, and the strings of its public fields.
func (ev *event) memSize() int64 {
	n := int64(unsafe.Sizeof(*ev))
	n += int64(cap(ev.data) + cap(ev.egHead) + cap(ev.egTail) + cap(ev.ceHead))
	if len(ev.egData) > 0 && (len(ev.data) == 0 || &ev.egData[0] != &ev.data[0]) && &ev.egData[0] != &jsonNull[0] {
		n += int64(cap(ev.egData))
	}
	return n + int64(len(ev.ID)+len(ev.DataVersion))
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

// render computes both renderings and drops what they make redundant.
func (ev *event) render() error {
	if ev.Data != nil {
		var c bytes.Buffer
		c.Grow(len(ev.Data))
		if err := json.Compact(&c, ev.Data); err != nil {
			return err
		}
		ev.data = c.Bytes()
	}
	ev.egData = ev.data
	if ev.egData == nil {
		ev.egData = jsonNull
		// An event published as CloudEvents with binary data keeps it as
		// the base64 string in the Event Grid schema.
		for _, a := range ev.ceExtra {
			if a.name == "data_base64" {
				ev.egData = a.value
			}
		}
	}
	eventTime := ev.EventTime.UTC().Format(eventTimeFormat)

	var b bytes.Buffer
	b.WriteString(`{"id":`)
	writeString(&b, ev.ID)
	b.WriteString(`,"topic":`)
	writeString(&b, ev.Topic)
	b.WriteString(`,"subject":`)
	writeString(&b, ev.Subject)
	b.WriteString(`,"data":`)
	ev.egHead = bytes.Clone(b.Bytes())
	b.Reset()
	b.WriteString(`,"eventType":`)
	writeString(&b, ev.EventType)
	b.WriteString(`,"dataVersion":`)
	writeString(&b, ev.DataVersion)
	b.WriteString(`,"metadataVersion":`)
	writeString(&b, ev.metadataVersion)
	b.WriteString(`,"eventTime":`)
	writeString(&b, eventTime)
	b.WriteByte('}')
	ev.egTail = bytes.Clone(b.Bytes())

	b.Reset()
	b.WriteString(`{"specversion":"1.0"`)
	writeAttr(&b, "id", ev.ID)
	writeAttr(&b, "source", ev.Topic)
	writeAttr(&b, "type", ev.EventType)
	if ev.Subject != "" {
		writeAttr(&b, "subject", ev.Subject)
	}
	writeAttr(&b, "time", eventTime)
	for _, a := range ev.ceExtra {
		b.WriteString(`,"` + a.name + `":`)
		b.Write(a.value)
	}
	ev.ceHead = bytes.Clone(b.Bytes())

	ev.egLen = len(ev.egHead) + len(ev.egData) + len(ev.egTail)
	ev.ceLen = len(ev.ceHead) + 1
	if ev.data != nil {
		ev.ceLen += len(ceDataName) + len(ev.data)
	}
	ev.size = int64(max(ev.egLen, ev.ceLen))
	ev.Event = Event{ID: ev.ID, DataVersion: ev.DataVersion}
	ev.ceExtra = nil
	ev.mem = ev.memSize()
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	v, _ := json.Marshal(s)
	b.Write(v)
}

func writeAttr(b *bytes.Buffer, name, value string) {
	b.WriteString(`,"` + name + `":`)
	writeString(b, value)
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
