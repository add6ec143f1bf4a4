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

// OnAdvance hooks run once per move, after it, with the new time; a move
// that does not move the clock calls nothing.
func TestManualOnAdvance(t *testing.T) {
	start := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	m := NewManual(start)
	var got []time.Time
	m.OnAdvance(func(now time.Time) {
		if m.Now() != now {
			t.Errorf("the hook ran before the move: clock %v, hook %v", m.Now(), now)
		}
		got = append(got, now)
	})
	m.Advance(time.Minute)
	m.Advance(0)
	m.Set(start) // earlier: no move
	m.Set(start.Add(time.Hour))
	want := []time.Time{start.Add(time.Minute), start.Add(time.Hour)}
	if len(got) != len(want) || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
		t.Fatalf("hooks saw %v, want %v", got, want)
	}
}
