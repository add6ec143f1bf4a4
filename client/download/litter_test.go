package download_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
)

// halfBodies answers media with its full Content-Length but only half the
// bytes, every time; metadata is whole.
func halfBodies(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/acsmetadata") {
		w.Write([]byte("{}"))
		return
	}
	if strings.Contains(r.URL.Path, "missing") {
		http.Error(w, `{"error":{"code":"NotFound"}}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(64<<10))
	w.Write(make([]byte, 32<<10))
	panic(http.ErrAbortHandler) // cut the connection mid-body
}

func TestFailedJobsLeaveNoPartialFiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(halfBodies))
	t.Cleanup(srv.Close)
	d, dir := testServerDownloader(t, srv.URL, download.Options{MaxAttempts: 1})
	store, err := jobs.Open(filepath.Join(t.TempDir(), "jobs.db"), jobs.Options{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var add []jobs.Job
	for _, id := range []string{"missing-doc", "half-doc"} {
		j, err := download.JobFromLocation(srv.URL + "/v1/objects/" + id + "/content/audio")
		if err != nil {
			t.Fatal(err)
		}
		add = append(add, j)
	}
	if _, err := store.Add(add...); err != nil {
		t.Fatal(err)
	}
	// Straight from the downloader, a 404 (permanent) leaves nothing; a cut
	// body keeps its bytes for the job's next run.
	if _, err := d.Document(context.Background(), add[0]); !jobs.IsPermanent(err) {
		t.Fatalf("404: %v", err)
	}
	if _, err := d.Document(context.Background(), add[1]); err == nil || jobs.IsPermanent(err) {
		t.Fatalf("cut body: %v", err)
	}
	if names := partials(t, dir); len(names) != 1 || names[0] != "half-doc.media.partial" {
		t.Fatalf("after one run each: partial files %v, want only the resumable half-doc.media.partial", names)
	}
	// Through the runner both jobs fail for good: nothing is left.
	for id, j := range runAll(t, store, d, 2) {
		if j.State != jobs.Failed {
			t.Fatalf("job %s is %s", id, j.State)
		}
	}
	if names := partials(t, dir); len(names) != 0 {
		t.Fatalf("failed jobs left %v", names)
	}
	if _, ok, _ := store.LoadPartial("half-doc.media.partial"); ok {
		t.Fatal("a failed job left its partial record")
	}
}

func partials(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".partial") {
			out = append(out, e.Name())
		}
	}
	return out
}
