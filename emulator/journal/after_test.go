package journal

import (
	"fmt"
	"slices"
	"testing"
)

// naive is what Query must return: every kept entry that matches, oldest
// first, the newest Limit of them when Limit is set.
func naive(all []Entry, f Filter) []int64 {
	ids := []int64{}
	for i := range all {
		if Match(f, &all[i]) {
			ids = append(ids, all[i].ID)
		}
	}
	if f.Limit > 0 && len(ids) > f.Limit {
		ids = ids[len(ids)-f.Limit:]
	}
	return ids
}

func idsOf(es []Entry) []int64 {
	ids := []int64{}
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

// Query, Count and ReadAfter skip to AfterID and walk back for Limit; they
// must answer exactly what a scan of every kept entry answers, after
// evictions (IDs no longer start at 1) and after a Reset (IDs go on).
func TestQueryAfterIDAndLimitAgreeWithAFullScan(t *testing.T) {
	j := New(50)
	for i := range 120 {
		j.Add(Entry{Plane: PlaneData, Method: "GET", Status: 200 + i%3})
	}
	check := func(stage string) {
		t.Helper()
		all := j.Query(Filter{})
		last := j.LastID()
		for _, after := range []int64{-1, 0, 1, all[0].ID - 1, all[0].ID, all[0].ID + 1, last - 7, last - 1, last, last + 5} {
			for _, limit := range []int{0, 1, 3, 10, 1000} {
				for _, status := range []int{0, 201} {
					f := Filter{AfterID: after, Limit: limit, Status: status}
					name := fmt.Sprintf("%s after %d limit %d status %d", stage, after, limit, status)
					want := naive(all, f)
					if got := idsOf(j.Query(f)); !slices.Equal(got, want) {
						t.Errorf("%s: Query %v, want %v", name, got, want)
					}
					f.Limit = 0
					if got, want := j.Count(f), len(naive(all, f)); got != want {
						t.Errorf("%s: Count %d, want %d", name, got, want)
					}
				}
			}
			var read []int64
			j.ReadAfter(after, func(es []Entry) { read = idsOf(es) })
			if want := naive(all, Filter{AfterID: after}); !slices.Equal(read, want) {
				t.Errorf("%s: ReadAfter(%d) %v, want %v", stage, after, read, want)
			}
		}
	}
	check("evicted")
	j.Reset()
	for range 5 {
		j.Add(Entry{Status: 201})
	}
	check("after a reset")
}
