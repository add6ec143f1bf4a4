package faults_test

import (
	"bytes"
	"errors"
	"io"
	"syscall"
	"testing"
)

// A reset is a real TCP RST after exactly N body bytes, over HTTP and HTTPS.
func TestResetAfterExactlyNBodyBytes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tls   bool
		rule  string
		wantN int
	}{
		{"bytes", false, `[{"action":{"type":"reset","afterBytes":100000}}]`, 100_000},
		{"percent", false, `[{"action":{"type":"reset","afterPercent":40}}]`, 400_000},
		{"tls", true, `[{"action":{"type":"reset","afterBytes":123457}}]`, 123_457},
		{"header only", false, `[{"action":{"type":"reset"}}]`, 0},
		{"beyond socket buffers", false, `[{"action":{"type":"reset","afterBytes":6000001}}]`, 6_000_001},
	} {
		size := max(1_000_000, tc.wantN+1000)
		t.Run(tc.name, func(t *testing.T) {
			var s *server
			if tc.tls {
				s = newTLSServer(t, size, tc.rule)
			} else {
				s = newServer(t, size, tc.rule)
			}
			resp := s.get(t, s.client(t))
			if resp.StatusCode != 200 || resp.ContentLength != int64(size) {
				t.Fatalf("status %d, Content-Length %d", resp.StatusCode, resp.ContentLength)
			}
			got, err := io.ReadAll(resp.Body)
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("read error %v, want connection reset", err)
			}
			if len(got) != tc.wantN || !bytes.Equal(got, s.body[:len(got)]) {
				t.Errorf("read %d bytes (intact: %v) before the reset, want exactly %d", len(got), bytes.Equal(got, s.body[:len(got)]), tc.wantN)
			}
			mustContain(t, s.note(t), "f1 reset: connection reset (TCP RST) after ")
		})
	}
}

// A cut point beyond the body leaves the response alone and says so.
func TestResetNotReached(t *testing.T) {
	s := newServer(t, 1000, `[{"action":{"type":"reset","afterBytes":5000}}]`)
	if got := readAll(t, s.get(t, s.client(t))); len(got) != 1000 {
		t.Errorf("got %d bytes", len(got))
	}
	mustContain(t, s.note(t), "f1 reset: not reached: the body ended at 1000 bytes")
}
