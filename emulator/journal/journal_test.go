package journal

import "testing"

func TestQueryFiltersAndKeepsOrder(t *testing.T) {
	j := New(10)
	j.Add(Entry{Plane: PlaneData, Target: TargetMedia, Method: "GET", Path: "/v1/objects/d1/content/audio", DocumentID: "d1", Status: 200, Auth: &Auth{OK: true}})
	j.Add(Entry{Plane: PlaneData, Target: TargetMedia, Method: "GET", Path: "/v1/objects/d1/content/audio", DocumentID: "d1", Status: 206, RangeAsked: "bytes=1048576-", Auth: &Auth{OK: true}})
	j.Add(Entry{Plane: PlaneData, Target: TargetMedia, Method: "GET", Path: "/v1/objects/d2/content/audio", DocumentID: "d2", Status: 401, Auth: &Auth{OK: false}})
	j.Add(Entry{Plane: PlaneControl, Target: TargetControl, Method: "GET", Path: "/_emulator/health", Status: 200})

	cases := []struct {
		name string
		f    Filter
		want int
	}{
		{"all", Filter{}, 4},
		{"data plane", Filter{Plane: PlaneData}, 3},
		{"document", Filter{DocumentID: "d1"}, 2},
		{"range prefix", Filter{RangePrefix: "bytes=1048576-"}, 1},
		{"has range", Filter{HasRange: "yes"}, 1},
		{"no range", Filter{HasRange: "no", Plane: PlaneData}, 2},
		{"auth failed", Filter{AuthOK: "false", Plane: PlaneData}, 1},
		{"status", Filter{Status: 206}, 1},
		{"method case-insensitive", Filter{Method: "get"}, 4},
		{"path prefix", Filter{PathPrefix: "/v1/objects/d2"}, 1},
		{"after id", Filter{AfterID: 2}, 2},
	}
	for _, c := range cases {
		if got := j.Count(c.f); got != c.want {
			t.Errorf("%s: Count = %d, want %d", c.name, got, c.want)
		}
		if got := len(j.Query(c.f)); got != c.want {
			t.Errorf("%s: len(Query) = %d, want %d", c.name, got, c.want)
		}
	}
	got := j.Query(Filter{Limit: 2})
	if len(got) != 2 || got[0].ID != 3 || got[1].ID != 4 {
		t.Fatalf("Limit should keep the newest entries in order, got %+v", got)
	}
}

func TestRingEvictsOldestAndCountsDrops(t *testing.T) {
	j := New(3)
	for i := 0; i < 5; i++ {
		j.Add(Entry{Status: 200 + i})
	}
	got := j.Query(Filter{})
	if len(got) != 3 || got[0].Status != 202 || got[2].Status != 204 {
		t.Fatalf("ring kept %+v", got)
	}
	if j.Dropped() != 2 {
		t.Fatalf("dropped = %d", j.Dropped())
	}
	j.Reset()
	if j.Count(Filter{}) != 0 {
		t.Fatal("reset left entries")
	}
	if id := j.Add(Entry{}); id != 6 {
		t.Fatalf("IDs must keep increasing after reset, got %d", id)
	}
}
