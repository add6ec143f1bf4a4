package calling_test

import (
	"context"
	"encoding/json"
	"github.com/acsemu/acsemu/emulator/api"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/wire"
)

// serviceServer serves a Service directly (no signatures), as the data plane would after auth.
type serviceServer struct{ srv *httptest.Server }

func newServiceServer(t *testing.T, svc *calling.Service) *serviceServer {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := svc.Serve(w, r, body); err != nil {
			wire.Write(w, wire.ShapeACS, err, "trace")
		}
	}))
	t.Cleanup(s.Close)
	return &serviceServer{srv: s}
}

func (s *serviceServer) start(t *testing.T, body string) string {
	t.Helper()
	resp, err := http.Post(s.srv.URL+"/calling/recordings?"+apiVersion, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st api.RecordingStateResponse
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != 200 {
		t.Fatalf("start: %d %v", resp.StatusCode, err)
	}
	return st.RecordingID
}

func (s *serviceServer) must(t *testing.T, method, path string, want int) {
	t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
	}
}

// waitJournal waits until the journal holds n entries matching f (the
// notifier journals an attempt right after the endpoint answered it).
func waitJournal(t *testing.T, j *journal.Journal, f journal.Filter, n int) []journal.Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	es, err := j.Await(ctx, f, n)
	if err != nil {
		t.Fatalf("journal has %d entries matching %s, want %d: %v", len(es), f, n, err)
	}
	return es
}
