package emulator

import (
	"net/http"
	"time"
)

// DefaultWriteIdleTimeout is how long a client may read nothing of a response
// before its connection is closed (Options.WriteIdleTimeout).
const DefaultWriteIdleTimeout = 2 * time.Minute

// idleWriteChunk is the most written under one deadline: a reader that takes
// more than the idle timeout to drain this much (after the kernel's socket
// buffers) counts as idle; with the default that is under 300 bytes a second.
const idleWriteChunk = 32 << 10

// idleWriter gives every write a fresh deadline of idle from now, so a
// client that stops reading frees its connection and handler once the socket
// buffers are full and the deadline passes, while a slow download that keeps
// reading (a bandwidth fault, a slow link) extends it with every write.
// Handlers that write nothing for a while (long polls, stall faults) are not
// affected: a deadline only matters while a write waits.
type idleWriter struct {
	http.ResponseWriter
	rc   *http.ResponseController
	idle time.Duration
}

func newIdleWriter(w http.ResponseWriter, idle time.Duration) *idleWriter {
	iw := &idleWriter{ResponseWriter: w, rc: http.NewResponseController(w), idle: idle}
	// A deadline left by the previous response on a kept-alive connection
	// must not cut this one.
	_ = iw.rc.SetWriteDeadline(time.Time{})
	return iw
}

func (w *idleWriter) extend() { _ = w.rc.SetWriteDeadline(time.Now().Add(w.idle)) }

func (w *idleWriter) WriteHeader(code int) {
	w.extend()
	w.ResponseWriter.WriteHeader(code)
}

func (w *idleWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), idleWriteChunk)
		w.extend()
		m, err := w.ResponseWriter.Write(p[:n])
		written += m
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}

// Flush forwards to the underlying writer when it can flush.
func (w *idleWriter) Flush() {
	w.extend()
	_ = w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *idleWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
