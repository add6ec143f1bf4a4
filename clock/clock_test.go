package clock

import (
	"testing"
	"time"
)

func TestManualFiresWaitersInOrderOnlyWhenDue(t *testing.T) {
	start := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	m := NewManual(start)
	late := m.After(10 * time.Second)
	early := m.After(time.Second)
	if got := m.Waiters(); got != 2 {
		t.Fatalf("waiters = %d, want 2", got)
	}
	m.Advance(500 * time.Millisecond)
	select {
	case <-early:
		t.Fatal("early fired before its deadline")
	default:
	}
	m.Advance(time.Second)
	select {
	case at := <-early:
		if want := start.Add(1500 * time.Millisecond); !at.Equal(want) {
			t.Fatalf("fired at %v, want %v", at, want)
		}
	default:
		t.Fatal("early did not fire once due")
	}
	select {
	case <-late:
		t.Fatal("late fired too soon")
	default:
	}
	m.Set(start.Add(time.Hour))
	<-late
	if m.Waiters() != 0 {
		t.Fatal("waiters left after all fired")
	}
}

func TestManualAfterNonPositiveFiresAtOnce(t *testing.T) {
	m := NewManual(time.Unix(0, 0))
	select {
	case <-m.After(0):
	default:
		t.Fatal("After(0) did not fire at once")
	}
}
