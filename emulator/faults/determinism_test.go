package faults_test

import (
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/faults"
)

// fireSequence sends 1,000 requests to a server with one rule firing with
// probability 0.3 and returns which of them it fired on.
func fireSequence(t *testing.T, seed int64) string {
	t.Helper()
	s := newServer(t, 100, `[{"id":"flaky","when":{"probability":0.3},"action":{"type":"status","status":503}}]`,
		func(o *faults.Options) { o.Seed = seed })
	c := s.client(t)
	var b strings.Builder
	for range 1000 {
		resp := s.get(t, c)
		readAll(t, resp)
		resp.Body.Close()
		fired := s.note(t) != ""
		if fired != (resp.StatusCode == 503) {
			t.Fatalf("status %d but fired=%v", resp.StatusCode, fired)
		}
		b.WriteByte("01"[btoi(fired)])
	}
	if st, _ := s.inj.Rule("flaky"); st.Matched != 1000 || st.Fired != int64(strings.Count(b.String(), "1")) {
		t.Errorf("counters %+v", st)
	}
	return b.String()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The same seed and the same requests fire the same faults; another seed
// fires others.
func TestSameSeedSameFaults(t *testing.T) {
	a, b, other := fireSequence(t, 7), fireSequence(t, 7), fireSequence(t, 8)
	if a != b {
		t.Error("seed 7 fired two different sequences")
	}
	if a == other {
		t.Error("seeds 7 and 8 fired the same sequence")
	}
	n := strings.Count(a, "1")
	t.Logf("seed 7 fired on %d of 1000 requests, seed 8 on %d", n, strings.Count(other, "1"))
	if n < 230 || n > 370 {
		t.Errorf("fired %d times at probability 0.3", n)
	}
}

// Rules are evaluated in order; the first that fires wins, and a rule that
// does not fire lets the next one try.
func TestFirstFiringRuleWins(t *testing.T) {
	s := newServer(t, 100, `[
		{"id":"a","when":{"times":1},"action":{"type":"status","status":503}},
		{"id":"b","when":{"skip":1,"times":1},"action":{"type":"status","status":429}},
		{"id":"c","match":{"range":"present"},"action":{"type":"status","status":500}}]`)
	c := s.client(t)
	var got []int
	for range 4 {
		resp := s.get(t, c)
		readAll(t, resp)
		got = append(got, resp.StatusCode)
		s.note(t)
	}
	// a takes the 1st; b lets the 2nd go (its first match) and takes the 3rd.
	if want := []int{503, 200, 429, 200}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	rs := s.inj.Rules()
	if rs[0].Matched != 4 || rs[0].Fired != 1 || rs[1].Matched != 3 || rs[1].Fired != 1 || rs[2].Matched != 0 {
		t.Errorf("counters %+v", rs)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
