package emulatortest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// maxNotification bounds what the test webhook reads of one request.
const maxNotification = 16 << 20

// Notification is one delivery a Webhook received.
type Notification struct {
	Header http.Header
	Body   []byte
}

// Webhook is the smallest correct Event Grid webhook, for tests: it answers
// the validation event with its code and queues every other POST.
type Webhook struct {
	*httptest.Server
	received chan Notification
}

// NewWebhook starts a Webhook on a free port, closed when the test ends. It
// keeps up to 1024 notifications that the test has not read yet; past that
// it answers 503, so a test that forgets to read sees retries, not a hang.
func NewWebhook(t testing.TB) *Webhook {
	t.Helper()
	h := &Webhook{received: make(chan Notification, 1024)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxNotification))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if AnswerValidation(w, r, body) {
			return
		}
		select {
		case h.received <- Notification{Header: r.Header.Clone(), Body: body}:
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// Received delivers the notifications in arrival order.
func (h *Webhook) Received() <-chan Notification { return h.received }

// AnswerValidation answers an Event Grid validation request (header
// aeg-event-type: SubscriptionValidation) with {"validationResponse": code}
// and reports whether it did; any other request is left to the caller.
func AnswerValidation(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if r.Header.Get("aeg-event-type") != "SubscriptionValidation" {
		return false
	}
	var events []struct {
		Data struct {
			ValidationCode string `json:"validationCode"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &events); err != nil || len(events) != 1 {
		http.Error(w, "not a validation event", http.StatusBadRequest)
		return true
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"validationResponse": events[0].Data.ValidationCode})
	return true
}
