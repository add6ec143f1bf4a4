package faults_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// A truncation keeps the full Content-Length and closes cleanly after N
// bytes: the client sees an unexpected EOF, not a reset.
func TestTruncateGivesUnexpectedEOF(t *testing.T) {
	for _, tls := range []bool{false, true} {
		rule := `[{"action":{"type":"truncate","afterBytes":54321}}]`
		s := newServer(t, 200_000, rule)
		if tls {
			s = newTLSServer(t, 200_000, rule)
		}
		resp := s.get(t, s.client(t))
		if resp.ContentLength != 200_000 {
			t.Fatalf("Content-Length %d", resp.ContentLength)
		}
		got, err := io.ReadAll(resp.Body)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("tls=%v: read error %v, want unexpected EOF", tls, err)
		}
		if len(got) != 54321 || !bytes.Equal(got, s.body[:54321]) {
			t.Errorf("tls=%v: read %d bytes, want the first 54321", tls, len(got))
		}
		mustContain(t, s.note(t), "f1 truncate: closed the connection after 54321 of 200000 body bytes")
	}
}
