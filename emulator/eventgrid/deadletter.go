package eventgrid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/internal/ring"
)

// Dead-letter reasons.
const (
	ReasonMaxDeliveryAttemptsExceeded = "MaxDeliveryAttemptsExceeded"
	ReasonTimeToLiveExceeded          = "TimeToLiveExceeded"
)

// deadLetterInfo is what a dead letter adds to the event.
type deadLetterInfo struct {
	reason      string
	attempts    int
	outcome     string
	status      int
	lastAttempt time.Time
	at          time.Time
}

// deadLetterRecord appends the dead-letter properties to the event's JSON
// object, in the schema's spelling.
func deadLetterRecord(schema Schema, ev *event, info deadLetterInfo) json.RawMessage {
	names := [...]string{"deadLetterReason", "deliveryAttempts", "lastDeliveryOutcome", "lastHttpStatusCode", "publishTime", "lastDeliveryAttemptTime"}
	if schema == CloudEventSchema {
		names = [...]string{"deadletterreason", "deliveryattempts", "lastdeliveryoutcome", "lasthttpstatuscode", "publishtime", "lastdeliveryattempttime"}
	}
	obj := ev.rendered(schema)
	var b bytes.Buffer
	b.Write(obj[:len(obj)-1]) // without the closing brace
	field := func(name string, v any) {
		raw, _ := json.Marshal(v)
		b.WriteString(`,"` + name + `":`)
		b.Write(raw)
	}
	field(names[0], info.reason)
	field(names[1], info.attempts)
	field(names[2], info.outcome)
	field(names[3], info.status)
	field(names[4], ev.publishTime.UTC().Format(eventTimeFormat))
	if !info.lastAttempt.IsZero() {
		field(names[5], info.lastAttempt.UTC().Format(eventTimeFormat))
	}
	b.WriteByte('}')
	return b.Bytes()
}

// blobPath is Azure's dead-letter blob name: the upper-case subscription
// name, then the UTC date and hour without zero padding.
func blobPath(upperName string, at time.Time, id string) string {
	at = at.UTC()
	return fmt.Sprintf("%s/%d/%d/%d/%d/%s.json", upperName, at.Year(), int(at.Month()), at.Day(), at.Hour(), id)
}

// deadLetters is a bounded log of dead letters.
type deadLetters struct {
	mu   sync.Mutex
	ring *ring.Ring[DeadLetter]
}

func newDeadLetters(capacity int) *deadLetters {
	return &deadLetters{ring: ring.New[DeadLetter](capacity)}
}

func (d *deadLetters) add(dl DeadLetter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ring.Add(dl)
}

func (d *deadLetters) list(sub string) []DeadLetter {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []DeadLetter{}
	for dl := range d.ring.All() {
		if sub == "" || strings.EqualFold(dl.Subscription, sub) {
			out = append(out, *dl)
		}
	}
	return out
}

func (d *deadLetters) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ring.Reset()
}

// DeadLetters returns the dead letters of sub ("" means all), oldest first.
func (e *Engine) DeadLetters(sub string) []DeadLetter { return e.dead.list(sub) }

// deadLetter records events as dead letters (and writes their files).
func (s *subscription) deadLetter(schema Schema, evs []*event, info deadLetterInfo) {
	for _, ev := range evs {
		rec := deadLetterRecord(schema, ev, info)
		dl := DeadLetter{
			Subscription: s.name, EventID: ev.ID, DeadLetterReason: info.reason,
			DeliveryAttempts: info.attempts, LastDeliveryOutcome: info.outcome, LastHTTPStatusCode: info.status,
			PublishTime: ev.publishTime, LastDeliveryAttemptTime: info.lastAttempt, Time: info.at,
			BlobPath: blobPath(s.upperName(), info.at, guid(s.rnd)), Record: rec,
		}
		s.e.dead.add(dl)
		s.e.changed.Notify()
		s.e.log.Info("eventgrid: dead-lettered", "subscription", s.name, "event", ev.ID,
			"reason", info.reason, "attempts", info.attempts, "lastOutcome", info.outcome)
		if dir := s.e.opts.DeadLetterDir; dir != "" {
			if err := writeDeadLetterFile(dir, dl); err != nil {
				s.e.log.Warn("eventgrid: cannot write dead-letter file", "subscription", s.name, "event", ev.ID, "err", err)
			}
		}
	}
}

// writeDeadLetterFile writes the blob's content, an array of one event, atomically.
func writeDeadLetterFile(dir string, dl DeadLetter) error {
	path := filepath.Join(dir, filepath.FromSlash(dl.BlobPath))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	content := append(append([]byte{'['}, dl.Record...), ']', '\n')
	tmp, err := os.CreateTemp(filepath.Dir(path), ".deadletter-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
