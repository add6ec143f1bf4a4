package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
)

// Callbacks answers Call Automation callbacks (RecordingStateChanged and the
// other call events, a JSON array of CloudEvents). Each request must carry a
// valid callback JWT ("Authorization: Bearer", see NewCallbackVerifier); one
// without is answered 401 before its body is read. Accepted events are logged:
// the reference client downloads from Event Grid's RecordingFileStatusUpdated,
// not from callbacks.
type Callbacks struct {
	Tokens  TokenVerifier
	MaxBody int64 // default DefaultMaxBody
	Logger  *slog.Logger

	accepted, refused atomic.Int64
}

// Counts returns how many callbacks were accepted and refused.
func (c *Callbacks) Counts() (accepted, refused int64) { return c.accepted.Load(), c.refused.Load() }

func (c *Callbacks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	refuse := func(status int, format string, args ...any) {
		c.refused.Add(1)
		msg := fmt.Sprintf(format, args...)
		log.Warn("callback refused", "status", status, "why", msg)
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": http.StatusText(status), "message": msg}})
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		refuse(http.StatusMethodNotAllowed, "method %s not allowed", r.Method)
		return
	}
	if c.Tokens == nil {
		refuse(http.StatusUnauthorized, "callbacks are not enabled (no callback token verifier configured)")
		return
	}
	if why := bearerProblem(r, c.Tokens); why != "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="acsrec-callbacks"`)
		refuse(http.StatusUnauthorized, "%s", why)
		return
	}
	max := c.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			refuse(http.StatusRequestEntityTooLarge, "body larger than %d bytes", max)
			return
		}
		refuse(http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	var events []struct {
		ID, Type, Source string
	}
	if err := json.Unmarshal(body, &events); err != nil {
		refuse(http.StatusBadRequest, "not a JSON array of CloudEvents: %v", err)
		return
	}
	c.accepted.Add(1)
	for _, e := range events {
		log.Info("callback received", "type", clip(e.Type), "source", clip(e.Source), "id", clip(e.ID))
	}
	w.WriteHeader(http.StatusOK)
}
