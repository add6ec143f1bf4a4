package calling

import (
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/wire"
)

// ResultResponse is the body of GET /calling/recordings/{id}/result
// (api-version 2024-09-01-preview), in the recorded shape.
type ResultResponse struct {
	RecordingID          string `json:"recordingId"`
	RecordingStorageInfo struct {
		RecordingChunks []recordings.EventChunk `json:"recordingChunks"`
	} `json:"recordingStorageInfo"`
	Errors              []ResultError `json:"errors"`
	RecordingStartTime  time.Time     `json:"recordingStartTime"`
	RecordingDurationMs int64         `json:"recordingDurationMs"`
	SessionEndReason    string        `json:"sessionEndReason"`
	// RecordingExpirationTime was 0001-01-01T00:00:00Z in the recorded sample.
	RecordingExpirationTime time.Time `json:"recordingExpirationTime"`
}

// ResultError is an entry of ResultResponse.Errors (always empty here).
type ResultError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// serveResult answers the preview result of a recording. The sample was taken
// after stop; until the file exists (stop plus the processing delay) the
// emulator answers 404 8522, like an unknown recording (chosen).
func (s *Service) serveResult(w http.ResponseWriter, id string) *wire.Error {
	s.mu.Lock()
	sess, ok := s.sessions[id]
	processed := ok && !sess.processedAt.IsZero()
	s.mu.Unlock()
	rec, exists := s.opts.Store.Recording(id)
	switch {
	case !ok:
		return errNotFound(id, "was never started (or the emulator was reset)")
	case !processed || !exists:
		return errNotFound(id, "has no result yet: it exists once the recording is stopped and processed (see GET /_emulator/calls/recordings/{id})")
	}
	base := ""
	if s.opts.StorageBaseURL != nil {
		base = s.opts.StorageBaseURL()
	}
	out := ResultResponse{RecordingID: rec.ID, Errors: []ResultError{}, RecordingStartTime: rec.StartTime,
		RecordingDurationMs: rec.Duration.Milliseconds(), SessionEndReason: rec.Spec.SessionEndReason}
	out.RecordingStorageInfo.RecordingChunks = rec.EventData(base).RecordingStorageInfo.RecordingChunks
	writeJSON(w, http.StatusOK, out)
	return nil
}
