package faults_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// A stall sends N bytes, stops for the duration, then sends the rest.
func TestStallPausesTheBody(t *testing.T) {
	s := newServer(t, 100_000, `[{"action":{"type":"stall","afterBytes":1000,"duration":"300ms"}}]`)
	resp := s.get(t, s.client(t))
	first := make([]byte, 1000)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rest := readAll(t, resp)
	if waited := time.Since(start); waited < 280*time.Millisecond {
		t.Errorf("the rest came after %v, want a 300ms stall", waited)
	}
	if !bytes.Equal(append(first, rest...), s.body) {
		t.Error("the body is not intact after the stall")
	}
	mustContain(t, s.note(t), "f1 stall: stalled for 300ms after 1000 of 100000 body bytes")
}

// A stall ends as soon as the client goes away, however long it was to last.
func TestStallEndsWhenTheClientGoesAway(t *testing.T) {
	s := newServer(t, 100_000, `[{"action":{"type":"stall","afterPercent":10,"duration":"10m"}}]`)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+mediaPath, nil)
	resp, err := s.client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadFull(resp.Body, make([]byte, 10_000)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cancel()
	mustContain(t, s.note(t), "f1 stall: stalled after 10000 of 100000 body bytes; the client went away")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the handler took %v to notice", d)
	}
}
