package contract

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestProber: any HTTP answer is alive; a closed listener is a crash at once;
// a webhook that accepts and never answers is a hang after two probes.
func TestProber(t *testing.T) {
	ctx := context.Background()
	alive := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
	}))
	defer alive.Close()
	p := newProber(alive.URL, time.Second)
	p.Probe(ctx)
	p.Probe(ctx)
	if p.Down() != nil || p.ok != 2 {
		t.Fatalf("a 405 is alive: %+v, %d answered", p.Down(), p.ok)
	}

	gone := httptest.NewServer(http.NotFoundHandler())
	url := gone.URL
	gone.Close()
	p = newProber(url, time.Second)
	p.Probe(ctx)
	if d := p.Down(); d == nil || d.Hang || !strings.Contains(d.Error, "connection refused") {
		t.Fatalf("closed listener: %+v", d)
	}

	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hung.Close()
	defer close(release)
	p = newProber(hung.URL, 100*time.Millisecond)
	p.Probe(ctx)
	if p.Down() != nil {
		t.Fatal("one slow probe must not count as a hang")
	}
	p.Probe(ctx)
	if d := p.Down(); d == nil || !d.Hang {
		t.Fatalf("two probes without an answer: %+v", d)
	}
}
