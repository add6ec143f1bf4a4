package jobs_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func open(t *testing.T, path string, clk clock.Clock) *jobs.Store {
	t.Helper()
	s, err := jobs.Open(path, jobs.Options{Clock: clk, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func next(t *testing.T, s *jobs.Store) (jobs.Job, bool, time.Duration) {
	t.Helper()
	j, ok, wait, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	return j, ok, wait
}

func TestLifecycle(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
	s := open(t, filepath.Join(t.TempDir(), "j.db"), clk)
	defer s.Close()
	added, err := s.Add(jobs.Job{DocumentID: "a"}, jobs.Job{DocumentID: "b"}, jobs.Job{DocumentID: "a"})
	if err != nil || len(added) != 2 {
		t.Fatalf("added %v, %v", added, err)
	}
	select {
	case <-s.Wake():
	default:
		t.Error("Add did not wake the workers")
	}
	a, ok, _ := next(t, s)
	if !ok || a.DocumentID != "a" || a.State != jobs.Running || a.Attempts != 1 {
		t.Fatalf("first %+v", a)
	}
	// A retryable failure waits; the next job is due meanwhile.
	if st, err := s.Fail("a", errors.New("503"), time.Minute); err != nil || st != jobs.Pending {
		t.Fatalf("Fail: %v %v", st, err)
	}
	b, ok, _ := next(t, s)
	if !ok || b.DocumentID != "b" {
		t.Fatalf("second %+v", b)
	}
	if err := s.Complete("b", []string{"b.wav", "b.metadata.json"}, 42); err != nil {
		t.Fatal(err)
	}
	if _, ok, wait := next(t, s); ok || wait != time.Minute {
		t.Fatalf("nothing due: ok %v wait %v", ok, wait)
	}
	clk.Advance(time.Minute)
	a, ok, _ = next(t, s)
	if !ok || a.DocumentID != "a" || a.Attempts != 2 || a.LastError != "503" {
		t.Fatalf("retried %+v", a)
	}
	// A permanent failure ends it at once.
	if st, _ := s.Fail("a", jobs.Permanent(errors.New("refused")), time.Minute); st != jobs.Failed {
		t.Fatalf("permanent failure left %v", st)
	}
	if _, ok, wait := next(t, s); ok || wait != 0 {
		t.Fatalf("queue not empty: %v %v", ok, wait)
	}
	counts, _ := s.Counts()
	if counts[jobs.Done] != 1 || counts[jobs.Failed] != 1 {
		t.Errorf("counts %v", counts)
	}
	if got, _ := s.Get("b"); got.Bytes != 42 || len(got.Files) != 2 {
		t.Errorf("done job %+v", got)
	}
	// Duplicates of finished jobs are still duplicates; Retry is explicit.
	if added, _ := s.Add(jobs.Job{DocumentID: "a"}); len(added) != 0 {
		t.Error("a failed job was added again by an event")
	}
	if err := s.Retry("a"); err != nil {
		t.Fatal(err)
	}
	if a, ok, _ = next(t, s); !ok || a.Attempts != 1 {
		t.Fatalf("after Retry %+v", a)
	}
	if _, err := s.Get("zzz"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Get unknown: %v", err)
	}
}

func TestAttemptsAreBounded(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	s := open(t, filepath.Join(t.TempDir(), "j.db"), clk)
	defer s.Close()
	s.Add(jobs.Job{DocumentID: "a"})
	var st jobs.State
	for i := 1; i <= 3; i++ {
		j, ok, _ := next(t, s)
		if !ok || j.Attempts != i {
			t.Fatalf("run %d: %+v", i, j)
		}
		st, _ = s.Fail("a", errors.New("boom"), 0)
	}
	if st != jobs.Failed {
		t.Fatalf("after 3 attempts: %v", st)
	}
}

// Work accepted before a crash is there after it: pending jobs stay pending,
// running ones are pending again, partial records survive.
func TestSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	s := open(t, path, nil)
	s.Add(jobs.Job{DocumentID: "a", ContentLocation: "https://h/a"}, jobs.Job{DocumentID: "b"})
	if _, ok, _ := next(t, s); !ok {
		t.Fatal("no job")
	}
	if err := s.SavePartial("a.media.partial", jobs.Partial{URL: "https://h/a", ETag: `"x"`, Size: 100}); err != nil {
		t.Fatal(err)
	}
	s.Close() // as if killed: a is Running

	s = open(t, path, nil)
	defer s.Close()
	got := map[string]bool{}
	for {
		j, ok, _ := next(t, s)
		if !ok {
			break
		}
		got[j.DocumentID] = true
		if j.DocumentID == "a" && (j.ContentLocation != "https://h/a" || j.Attempts != 2) {
			t.Errorf("recovered %+v", j)
		}
	}
	if !got["a"] || !got["b"] || len(got) != 2 {
		t.Errorf("after restart got %v", got)
	}
	p, ok, err := s.LoadPartial("a.media.partial")
	if err != nil || !ok || p.ETag != `"x"` || p.Size != 100 {
		t.Errorf("partial %+v %v %v", p, ok, err)
	}
	s.DeletePartial("a.media.partial")
	if _, ok, _ := s.LoadPartial("a.media.partial"); ok {
		t.Error("partial not deleted")
	}
}

func TestReleaseDoesNotCountTheAttempt(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "j.db"), nil)
	defer s.Close()
	s.Add(jobs.Job{DocumentID: "a"})
	next(t, s)
	if err := s.Release("a"); err != nil {
		t.Fatal(err)
	}
	if j, ok, _ := next(t, s); !ok || j.Attempts != 1 {
		t.Fatalf("%+v", j)
	}
}

// Two processes cannot share a store.
func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	s := open(t, path, nil)
	defer s.Close()
	if _, err := jobs.Open(path, jobs.Options{LockTimeout: 50 * time.Millisecond}); err == nil {
		t.Fatal("opened a locked store")
	}
}

func TestRejectsJobWithoutID(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "j.db"), nil)
	defer s.Close()
	if _, err := s.Add(jobs.Job{DocumentID: "a"}, jobs.Job{}); err == nil {
		t.Fatal("accepted a job without an id")
	}
	if all, _ := s.List(); len(all) != 0 {
		t.Errorf("a failed Add stored %v", all)
	}
}
