package main

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	b := newBar(&syncWriter{w: &out})
	b.Begin("a.media.partial", 1000, 200)
	b.Begin("b.metadata.json.partial", -1, 0)
	b.Add("a.media.partial", 800)
	b.Add("b.metadata.json.partial", 10)
	b.End("b.metadata.json.partial", errors.New("boom"))
	b.End("a.media.partial", nil)
	if !strings.Contains(out.String(), "100%") {
		t.Errorf("bar output %q", out.String())
	}
	if got := short(strings.Repeat("x", 100)); len([]rune(got)) != 40 {
		t.Errorf("short gives %d runes", len([]rune(got)))
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
