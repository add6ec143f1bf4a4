package calling

import (
	"crypto/sha256"
	"github.com/acsemu/acsemu/emulator/api"
	"net/http"
	"regexp"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

// maxRepeatEntries bounds the remembered Repeatability-Request-IDs (oldest forgotten first).
const maxRepeatEntries = 10_000

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// repeatKey is a start request's repeatability identity.
type repeatKey struct {
	id        string
	firstSent time.Time
	bodyHash  [32]byte
}

// repeatability reads the headers; ok is false when the request does not ask to be repeatable.
func repeatability(h http.Header, body []byte) (key repeatKey, ok bool, err *wire.Error) {
	id, first := h.Get(api.HeaderRepeatabilityRequestID), h.Get(api.HeaderRepeatabilityFirstSent)
	switch {
	case id == "" && first == "":
		return key, false, nil
	case id == "":
		return key, false, badRequest(api.HeaderRepeatabilityRequestID, "%s is required when %s is given.", api.HeaderRepeatabilityRequestID, api.HeaderRepeatabilityFirstSent)
	case !uuidRE.MatchString(id):
		return key, false, badRequest(api.HeaderRepeatabilityRequestID, "%s must be a UUID, got %q.", api.HeaderRepeatabilityRequestID, wire.HeaderSafe(truncate(id, 64)))
	case first == "":
		return key, false, badRequest(api.HeaderRepeatabilityFirstSent, "%s is required when %s is given.", api.HeaderRepeatabilityFirstSent, api.HeaderRepeatabilityRequestID)
	}
	t, perr := http.ParseTime(first)
	if perr != nil {
		return key, false, badRequest(api.HeaderRepeatabilityFirstSent, "%s must be an HTTP date such as Sun, 06 Nov 1994 08:49:37 GMT, got %q.", api.HeaderRepeatabilityFirstSent, wire.HeaderSafe(truncate(first, 64)))
	}
	return repeatKey{id: id, firstSent: t, bodyHash: sha256.Sum256(body)}, true, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

type repeatEntry struct {
	key  repeatKey
	resp api.RecordingStateResponse
}

// repeatCache remembers the answers to repeatable start requests.
type repeatCache struct {
	cap     int
	entries map[string]*repeatEntry
	order   []string
}

func newRepeatCache(capacity int) *repeatCache {
	return &repeatCache{cap: capacity, entries: map[string]*repeatEntry{}}
}

func (c *repeatCache) get(id string) (*repeatEntry, bool) {
	e, ok := c.entries[id]
	return e, ok
}

func (c *repeatCache) put(e *repeatEntry) {
	c.entries[e.key.id] = e
	c.order = append(c.order, e.key.id)
	for len(c.order) > c.cap {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

// replay answers a repeated start: the first answer, or 409 when the id was
// used for a different request.
func (e *repeatEntry) replay(key repeatKey) (api.RecordingStateResponse, *wire.Error) {
	if e.key.bodyHash != key.bodyHash || !e.key.firstSent.Equal(key.firstSent) {
		return api.RecordingStateResponse{}, &wire.Error{Status: http.StatusConflict, Code: "Conflict", Target: api.HeaderRepeatabilityRequestID,
			Message:     "The Repeatability-Request-ID was already used for a different request.",
			Explanation: "a repeated request must carry the same Repeatability-First-Sent and body as the first one"}
	}
	return e.resp, nil
}
