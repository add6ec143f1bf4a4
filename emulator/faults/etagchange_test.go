package faults_test

import (
	"testing"
)

// From the second request on, the object "changed": a resume with the old
// ETag in If-Range gets the whole file with 200.
func TestETagChangeBreaksAResume(t *testing.T) {
	s := newServer(t, 5000, `[{"when":{"skip":1},"action":{"type":"etag-change"}}]`)
	c := s.client(t)
	first := s.get(t, c)
	readAll(t, first)
	if first.Header.Get("ETag") != `"v1"` {
		t.Fatalf("first ETag %q", first.Header.Get("ETag"))
	}
	if n := s.note(t); n != "" {
		t.Errorf("first request noted %q", n)
	}
	resume := s.get(t, c, "Range", "bytes=2000-", "If-Range", `"v1"`)
	if got := readAll(t, resume); resume.StatusCode != 200 || len(got) != 5000 || resume.Header.Get("ETag") != `"v1-changed"` {
		t.Errorf("resume: %d, %d bytes, ETag %q", resume.StatusCode, len(got), resume.Header.Get("ETag"))
	}
	mustContain(t, s.note(t), `f1 etag-change: ETag "v1-changed" instead of "v1"`)
}

func TestETagChangeEachTime(t *testing.T) {
	s := newServer(t, 10, `[{"action":{"type":"etag-change","each":true}}]`)
	c := s.client(t)
	seen := map[string]bool{}
	for range 3 {
		resp := s.get(t, c)
		readAll(t, resp)
		seen[resp.Header.Get("ETag")] = true
		s.note(t)
	}
	if len(seen) != 3 || !seen[`"v1-changed-2"`] {
		t.Errorf("ETags %v", seen)
	}
}
