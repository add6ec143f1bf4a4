package faults_test

import (
	"testing"
	"time"
)

// Latency holds the header; jitter comes from the rule's seeded source.
func TestLatencyBeforeTheHeader(t *testing.T) {
	s := newServer(t, 1000, `[{"action":{"type":"latency","duration":"150ms"}}]`)
	start := time.Now()
	resp := s.get(t, s.client(t))
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("the header came after %v, want at least 150ms", d)
	}
	if len(readAll(t, resp)) != 1000 {
		t.Error("short body")
	}
	mustContain(t, s.note(t), "f1 latency: waited 150ms before the header")
}

func TestLatencyJitterIsSeeded(t *testing.T) {
	rule := `[{"action":{"type":"latency","duration":"1ms","jitter":"40ms"}}]`
	notes := func() []string {
		s := newServer(t, 10, rule)
		c := s.client(t)
		var out []string
		for range 5 {
			readAll(t, s.get(t, c))
			out = append(out, s.note(t))
		}
		return out
	}
	a, b := notes(), notes()
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("request %d: %q then %q with the same seed", i, a[i], b[i])
		}
	}
	if a[0] == a[1] && a[1] == a[2] {
		t.Errorf("no jitter: %q", a)
	}
}
