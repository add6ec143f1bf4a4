package faults_test

import (
	"bytes"
	"testing"
)

// Corruption flips bytes at an offset of the representation, in whole and
// ranged answers alike, keeping the size and the ETag.
func TestCorruptFlipsBytesAtAnOffset(t *testing.T) {
	s := newServer(t, 10_000, `[{"action":{"type":"corrupt","offset":5000,"length":3}}]`)
	c := s.client(t)
	want := bytes.Clone(s.body)
	for i := 5000; i < 5003; i++ {
		want[i] ^= 0xFF
	}
	whole := s.get(t, c)
	if got := readAll(t, whole); !bytes.Equal(got, want) || whole.Header.Get("ETag") != `"v1"` {
		t.Error("the whole body is not corrupted at 5000-5002 only")
	}
	mustContain(t, s.note(t), "f1 corrupt: flipped bytes 5000-5002 of 10000")
	part := s.get(t, c, "Range", "bytes=4990-5009")
	if got := readAll(t, part); part.StatusCode != 206 || !bytes.Equal(got, want[4990:5010]) {
		t.Errorf("ranged answer %d %x, want %x", part.StatusCode, got, want[4990:5010])
	}
	s.note(t)
}
