package journal

import "testing"

func TestChangedIsClosedByTheNextAddOrReset(t *testing.T) {
	j := New(4)
	ch := j.Changed()
	select {
	case <-ch:
		t.Fatal("Changed is closed before anything was added")
	default:
	}
	id := j.Add(Entry{Path: "/a"})
	select {
	case <-ch:
	default:
		t.Fatal("Add did not close the channel taken before it")
	}
	if got := j.LastID(); got != id {
		t.Fatalf("LastID = %d, want %d", got, id)
	}
	ch = j.Changed()
	j.Reset()
	select {
	case <-ch:
	default:
		t.Fatal("Reset did not close the channel taken before it")
	}
}
