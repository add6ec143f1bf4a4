package journal

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAwaitReturnsOnceEnoughEntriesLand(t *testing.T) {
	j := New(10)
	j.Add(Entry{Plane: PlaneData, Status: 200})
	after := j.LastID()
	got := make(chan []Entry, 1)
	go func() {
		es, err := j.Await(t.Context(), Filter{Plane: PlaneData, AfterID: after}, 2)
		if err != nil {
			t.Error(err)
		}
		got <- es
	}()
	j.Add(Entry{Plane: PlaneControl, Status: 200}) // does not match: keeps waiting
	j.Add(Entry{Plane: PlaneData, Status: 206})
	j.Add(Entry{Plane: PlaneData, Status: 416})
	es := <-got
	if len(es) != 2 || es[0].Status != 206 || es[1].Status != 416 {
		t.Fatalf("Await = %+v, want the two data entries added after %d", es, after)
	}
}

func TestAwaitGivesUpWithContextAndReturnsWhatMatched(t *testing.T) {
	j := New(10)
	j.Add(Entry{Plane: PlaneData, Status: 200})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	es, err := j.Await(ctx, Filter{Plane: PlaneData}, 2)
	if !errors.Is(err, context.DeadlineExceeded) || len(es) != 1 {
		t.Fatalf("Await = %d entries, %v; want 1 and the deadline", len(es), err)
	}
}
