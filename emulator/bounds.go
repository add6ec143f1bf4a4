package emulator

import (
	"context"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// maxHashWait bounds how long one control-plane request waits for hashes
// (?waitHashes=true); the answer then still says sha256Pending, and the
// client asks again.
const maxHashWait = time.Minute

// smallRecording is the media size up to which waitHashes always waits.
const smallRecording = 1 << 20

// waitHashes waits, when the request asks with ?waitHashes=true, until the
// documents' hashes are known, the request ends or maxHashWait passes.
// A recording of at most smallRecording bytes is hashed on the spot even
// without asking (about a millisecond), so small test recordings show their
// hashes at once.
func (s *Server) waitHashes(r *http.Request, docs ...*recordings.Document) {
	var total int64
	for _, d := range docs {
		total += d.Media().Size()
	}
	if r.URL.Query().Get("waitHashes") != "true" && total > smallRecording {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxHashWait)
	defer cancel()
	_ = s.hasher.WaitDocuments(ctx, docs)
}

// withBounds adds to c the bounds of what the emulator holds, so a user can
// see them (GET /_emulator/config) instead of guessing defaults.
func (s *Server) withBounds(c api.Config) api.Config {
	l := s.journal.Limits()
	c.JournalMaxEntries, c.JournalMaxBytes, c.JournalMaxHeaderBytes = l.Entries, l.Bytes, l.HeaderBytes
	rl := s.store.Limits()
	c.MaxRecordings, c.MaxStoredBytes, c.MaxUploadedBytes = rl.Recordings, rl.StoredBytes, rl.UploadedBytes
	c.EventQueueMaxBytes = s.events.MaxTotalQueuedBytes()
	c.WriteIdleTimeout = "disabled"
	if s.opts.WriteIdleTimeout > 0 {
		c.WriteIdleTimeout = s.opts.WriteIdleTimeout.String()
	}
	return c
}
