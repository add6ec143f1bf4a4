package dashboard

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/journal"
)

// fakeJournal adds entries in batches under one lock, so a test decides
// exactly what a stream can see when it wakes.
type fakeJournal struct {
	mu      sync.Mutex
	entries []journal.Entry
	last    int64
	ch      chan struct{}
}

func (j *fakeJournal) ReadAfter(afterID int64, fn func([]journal.Entry)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i := 0
	for i < len(j.entries) && j.entries[i].ID <= afterID {
		i++
	}
	fn(j.entries[i:])
}

func (j *fakeJournal) Changed() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ch == nil {
		j.ch = make(chan struct{})
	}
	return j.ch
}

func (j *fakeJournal) LastID() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.last
}

func (j *fakeJournal) addN(n int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for range n {
		j.last++
		j.entries = append(j.entries, journal.Entry{ID: j.last, Plane: journal.PlaneData, Target: journal.TargetMedia, Method: "GET", Path: "/x", Status: 200})
	}
	if j.ch != nil {
		close(j.ch)
		j.ch = nil
	}
}

type sseEvent struct {
	name string
	data string
}

// readEvents parses the stream into a channel; comments are skipped.
func readEvents(t *testing.T, resp *http.Response) <-chan sseEvent {
	out := make(chan sseEvent, 16)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

func next(t *testing.T, events <-chan sseEvent) (sseEvent, streamMessage) {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		var m streamMessage
		if ev.name != "resync" {
			if err := json.Unmarshal([]byte(ev.data), &m); err != nil {
				t.Fatalf("%s: %v", ev.name, err)
			}
		}
		return ev, m
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30 s")
	}
	panic("unreachable")
}

func openStream(t *testing.T, d *Dashboard) <-chan sseEvent {
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + Prefix + "events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type %q", ct)
	}
	return readEvents(t, resp)
}

func TestStreamSendsNewRequestsThenResyncsAClientTooFarBehind(t *testing.T) {
	j := &fakeJournal{}
	j.addN(1)
	d := New(Sources{Journal: j, Documents: func() []Document { return nil }}, Options{MaxBacklog: 3, MinInterval: time.Millisecond})
	events := openStream(t, d)

	ev, m := next(t, events)
	if ev.name != "snapshot" || m.Cursor != 1 || len(m.Requests) != 1 || m.View == nil {
		t.Fatalf("first event %s %+v", ev.name, m)
	}
	j.addN(2)
	ev, m = next(t, events)
	if ev.name != "update" || m.Cursor != 3 || len(m.Requests) != 2 || m.Requests[0].ID != 2 {
		t.Fatalf("after 2 requests: %s cursor %d, %d requests", ev.name, m.Cursor, len(m.Requests))
	}
	// More than MaxBacklog at once: the client is told to resync and gets a
	// fresh snapshot, not a growing backlog.
	j.addN(10)
	ev, _ = next(t, events)
	if ev.name != "resync" || !strings.Contains(ev.data, "more than 3") {
		t.Fatalf("after 10 requests: %s %s", ev.name, ev.data)
	}
	ev, m = next(t, events)
	if ev.name != "snapshot" || m.Cursor != 13 || len(m.Requests) != 13 {
		t.Fatalf("after the resync: %s cursor %d, %d requests", ev.name, m.Cursor, len(m.Requests))
	}
}

func TestStreamRefusesClientsBeyondTheLimit(t *testing.T) {
	d := New(Sources{Journal: &fakeJournal{}, Documents: func() []Document { return nil }}, Options{MaxClients: 1})
	first := openStream(t, d)
	next(t, first) // the first stream is open
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + Prefix + "events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
}

func TestCloseEndsOpenStreams(t *testing.T) {
	d := New(Sources{Journal: &fakeJournal{}, Documents: func() []Document { return nil }}, Options{})
	events := openStream(t, d)
	next(t, events) // the snapshot: the stream is open
	d.Close()
	select {
	case ev, ok := <-events:
		if ok {
			t.Fatalf("an event after Close: %+v", ev)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the stream is still open 30 s after Close")
	}
}
