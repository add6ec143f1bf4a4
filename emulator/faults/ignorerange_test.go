package faults_test

import (
	"bytes"
	"testing"
)

func TestIgnoreRangeSendsTheWholeFile(t *testing.T) {
	s := newServer(t, 5000, `[{"match":{"range":"present"},"action":{"type":"ignore-range"}}]`)
	resp := s.get(t, s.client(t), "Range", "bytes=1000-")
	got := readAll(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Range") != "" || !bytes.Equal(got, s.body) {
		t.Errorf("got %d, Content-Range %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Range"), len(got))
	}
	mustContain(t, s.note(t), `f1 ignore-range: Range "bytes=1000-" ignored: 200 with the whole representation`)
}
