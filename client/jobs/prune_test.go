package jobs_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/clock"
)

func TestFinishedJobsArePrunedAfterTheRetention(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "j.db")
	s, err := jobs.Open(path, jobs.Options{Clock: clk, MaxAttempts: 1, Retention: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Add(jobs.Job{DocumentID: "done"}, jobs.Job{DocumentID: "refused"}, jobs.Job{DocumentID: "pending"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		j, ok, _ := next(t, s)
		if !ok {
			t.Fatal("no job")
		}
		if j.DocumentID == "done" {
			err = s.Complete(j.DocumentID, []string{"done.wav"}, 10)
		} else {
			_, err = s.Fail(j.DocumentID, jobs.Permanent(errors.New("404")), 0)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(47 * time.Hour)
	if n, err := s.Prune(); n != 0 || err != nil {
		t.Fatalf("pruned %d jobs inside the retention: %v", n, err)
	}
	if _, err := s.Add(jobs.Job{DocumentID: "done"}); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Get("done"); j.State != jobs.Done {
		t.Fatalf("a redelivered event inside the retention made the job %s again", j.State)
	}
	clk.Advance(2 * time.Hour)
	// Add prunes by itself once an hour has passed since the last prune.
	if _, err := s.Add(jobs.Job{DocumentID: "new"}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"done": false, "refused": false, "pending": true, "new": true} {
		_, err := s.Get(id)
		if got := err == nil; got != want {
			t.Errorf("job %s kept=%v, want %v (%v)", id, got, want, err)
		}
	}
}

// The database no longer grows with every event: 300 events, one every 15
// minutes, with a 2-hour retention, keep about 8 jobs and the file's size.
func TestTheJobDatabaseStopsGrowing(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "j.db")
	s, err := jobs.Open(path, jobs.Options{Clock: clk, Retention: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sizeAt := map[int]int64{}
	for i := range 300 {
		id := fmt.Sprintf("0-eus-d%d-%08d", i%20, i)
		if _, err := s.Add(jobs.Job{DocumentID: id, ContentLocation: "https://us-storage.asm.skype.com/v1/objects/" + id + "/content/audio"}); err != nil {
			t.Fatal(err)
		}
		j, _, _ := next(t, s)
		if err := s.Complete(j.DocumentID, []string{id + ".wav", id + ".metadata.json"}, 1<<20); err != nil {
			t.Fatal(err)
		}
		clk.Advance(15 * time.Minute)
		if i == 50 || i == 299 {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			sizeAt[i] = fi.Size()
		}
	}
	all, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) > 2*4+4 {
		t.Errorf("%d jobs kept, want about 2 hours' (8)", len(all))
	}
	if sizeAt[299] > sizeAt[50] {
		t.Errorf("the database grew from %d to %d bytes between 50 and 300 events", sizeAt[50], sizeAt[299])
	}
}
