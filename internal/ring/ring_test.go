package ring

import (
	"slices"
	"testing"
)

func values(r *Ring[int]) []int {
	var out []int
	for v := range r.All() {
		out = append(out, *v)
	}
	return out
}

func TestRingKeepsTheNewestInOrder(t *testing.T) {
	r := New[int](3)
	for i := 1; i <= 2; i++ {
		r.Add(i)
	}
	if got := values(r); !slices.Equal(got, []int{1, 2}) || r.Dropped() != 0 {
		t.Fatalf("before full: %v", got)
	}
	for i := 3; i <= 7; i++ {
		r.Add(i)
	}
	if got := values(r); !slices.Equal(got, []int{5, 6, 7}) || r.Dropped() != 4 || r.Len() != 3 {
		t.Fatalf("after wrapping: %v dropped %d", got, r.Dropped())
	}
	for v := range r.All() { // stopping early is allowed
		if *v == 5 {
			break
		}
	}
	r.Reset()
	if r.Len() != 0 || r.Dropped() != 0 || len(values(r)) != 0 {
		t.Fatal("reset left values")
	}
	if New[int](0).cap != 1 {
		t.Fatal("a ring holds at least one value")
	}
}
