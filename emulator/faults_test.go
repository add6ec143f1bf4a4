package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
)

// scriptedRules: the first download is reset at 40% of the body, the next
// request gets a 503 with Retry-After: 2, then everything succeeds.
const scriptedRules = `[
  {"id": "cut", "match": {"target": "media"}, "when": {"times": 1}, "action": {"type": "reset", "afterPercent": 40}},
  {"id": "busy", "match": {"target": "media"}, "when": {"times": 1}, "action": {"type": "status", "status": 503, "retryAfter": 2}}
]`

// faultRig is an emulator on a Manual clock with a signed client.
type faultRig struct {
	srv    *emulator.Server
	clk    *clock.Manual
	client *http.Client
	doc    api.Document
}

func newFaultRig(t *testing.T, opts emulator.Options) *faultRig {
	t.Helper()
	rig := &faultRig{clk: clock.NewManual(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))}
	opts.Clock = rig.clk
	rig.srv = emulatortest.Start(t, opts)
	cs, err := signer.ParseConnectionString(rig.srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	rig.client = signer.New(cs, signer.WithBase(tr), signer.WithClock(rig.clk)).Client()
	rec, err := rig.srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(20 * time.Second), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	rig.doc = rec.Documents[0]
	return rig
}

// fetch GETs the document's content from offset (0: no Range) and returns
// the response and the body bytes read, with the read error.
func (rig *faultRig) fetch(t *testing.T, offset int) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rig.doc.ContentLocation, nil)
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.Itoa(offset)+"-")
	}
	resp, err := rig.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// download resumes like a careful client: after a cut it asks for the rest,
// and it waits out Retry-After on the emulator's clock. It returns the file
// and a line per response.
func (rig *faultRig) download(t *testing.T) ([]byte, []string) {
	t.Helper()
	var file []byte
	var log []string
	for attempt := 0; attempt < 5; attempt++ {
		resp, body, err := rig.fetch(t, len(file))
		// The handler journals a reset request just after the client sees
		// the reset: wait for it, so the journal is in request order.
		rig.awaitJournal(t, attempt+1)
		log = append(log, fmt.Sprintf("%d %q +%d reset=%v", resp.StatusCode, resp.Header.Get("Content-Range"), len(body), errors.Is(err, syscall.ECONNRESET)))
		switch {
		case resp.StatusCode == http.StatusServiceUnavailable:
			secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			rig.clk.Advance(time.Duration(secs) * time.Second)
		case err != nil && !errors.Is(err, syscall.ECONNRESET):
			t.Fatalf("download: %v", err)
		default:
			file = append(file, body...)
			if err == nil {
				return file, log
			}
		}
	}
	t.Fatalf("no complete download after 5 attempts: %v", log)
	return nil, nil
}

// awaitJournal waits until the journal holds n media requests.
func (rig *faultRig) awaitJournal(t *testing.T, n int) {
	t.Helper()
	emulatortest.AwaitRequests(t, rig.srv, journal.Filter{Plane: journal.PlaneData, Target: journal.TargetMedia}, n)
}

// The scripted sequence from a rules file, end to end: the journal shows the
// reset at 40%, the 503 and the resumed 206, and a second emulator with the
// same seed and file replays it exactly.
func TestScriptedFaultsFromARulesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(path, []byte(scriptedRules), 0o600); err != nil {
		t.Fatal(err)
	}
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) }) // runs last: after every Close
	run := func() string {
		rig := newFaultRig(t, emulator.Options{Seed: 42, FaultRulesFile: path})
		file, log := rig.download(t)
		t.Log(log)
		if int64(len(file)) != rig.doc.Size || sum(file) != rig.doc.SHA256 {
			t.Fatalf("downloaded %d bytes (sha256 %s), want %d (%s)", len(file), sum(file), rig.doc.Size, rig.doc.SHA256)
		}
		es := rig.srv.Journal().Query(journal.Filter{Plane: journal.PlaneData, Target: journal.TargetMedia})
		cut := rig.doc.Size * 40 / 100
		want := []struct {
			status     int
			asked      string
			bytes      int64
			fault, err string
		}{
			{200, "", cut, fmt.Sprintf("cut reset: connection reset (TCP RST) after %d of %d body bytes", cut, rig.doc.Size), "connection reset"},
			{503, fmt.Sprintf("bytes=%d-", cut), 0, "busy status: answered 503 with Retry-After: 2", ""},
			{206, fmt.Sprintf("bytes=%d-", cut), rig.doc.Size - cut, "", ""},
		}
		if len(es) != len(want) {
			t.Fatalf("journal has %d media requests, want %d: %+v", len(es), len(want), es)
		}
		var summary strings.Builder
		for i, w := range want {
			e := es[i]
			if e.Status != w.status || e.RangeAsked != w.asked || e.BytesSent != w.bytes || e.Fault != w.fault || !strings.Contains(e.Error, w.err) {
				t.Errorf("request %d: %d %q %d bytes fault %q error %q\nwant %d %q %d bytes fault %q error ~%q",
					i, e.Status, e.RangeAsked, e.BytesSent, e.Fault, e.Error, w.status, w.asked, w.bytes, w.fault, w.err)
			}
			fmt.Fprintf(&summary, "%d %s %d %s|", e.Status, e.RangeAsked, e.BytesSent, e.Fault)
		}
		if n, _ := rig.srv.Control().CountRequests(context.Background(), api.RequestFilter{Fault: "reset"}); n != 1 {
			t.Errorf("%d requests with a reset fault", n)
		}
		rs, err := rig.srv.Control().Faults(context.Background())
		if err != nil || len(rs) != 2 || rs[0].Fired != 1 || rs[1].Fired != 1 || rs[1].Matched != 2 {
			t.Errorf("rules %+v %v", rs, err)
		}
		if v, _ := rig.srv.Control().FaultViolations(context.Background()); v.Count != 0 {
			t.Errorf("a client that waited was flagged: %+v", v)
		}
		return summary.String()
	}
	if a, b := run(), run(); a != b {
		t.Errorf("the same seed and rules file gave\n%s\n%s", a, b)
	}
}

// Rules are managed through the control client; a bad field is refused with
// a 400 naming it, and an early comeback is counted as a violation.
func TestFaultsThroughTheControlPlane(t *testing.T) {
	rig := newFaultRig(t, emulator.Options{})
	ctl, ctx := rig.srv.Control(), context.Background()
	_, err := ctl.AddFaultsJSON(ctx, []byte(`{"action":{"type":"reset","afterPercent":140}}`))
	var ae *control.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != "InvalidFaultRule" || !strings.HasPrefix(ae.Message, "action.afterPercent: ") {
		t.Fatalf("bad rule: %v", err)
	}
	st, err := ctl.AddFault(ctx, api.FaultRule{Match: api.FaultMatch{Target: "media"}, When: api.FaultWhen{Times: 1},
		Action: api.FaultAction(`{"type":"status","status":429,"retryAfter":"5"}`)})
	if err != nil || st.Rule.ID != "f1" {
		t.Fatalf("add: %+v %v", st, err)
	}
	if resp, _, _ := rig.fetch(t, 0); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "5" {
		t.Fatalf("got %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	rig.clk.Advance(1 * time.Second)
	if resp, _, _ := rig.fetch(t, 0); resp.StatusCode != 200 {
		t.Fatalf("second request: %d", resp.StatusCode)
	}
	rig.awaitJournal(t, 2) // the verdict is journaled when the answer ends
	es, _ := ctl.Requests(ctx, api.RequestFilter{Plane: journal.PlaneData, Fault: "retry-after-violation"})
	if len(es) != 1 || es[0].Fault != "retry-after-violation: came back after 1s of 5s" {
		t.Errorf("journal: %+v", es)
	}
	if v, err := ctl.FaultViolations(ctx); err != nil || v.Count != 1 || v.Recent[0].Rule != "f1" {
		t.Errorf("violations %+v %v", v, err)
	}
	if fired, err := ctl.FiredFaults(ctx, 0); err != nil || len(fired) != 1 || fired[0].DocumentID != rig.doc.ID {
		t.Errorf("fired %+v %v", fired, err)
	}
	if err := ctl.DeleteFault(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if err := ctl.DeleteFault(ctx, "f1"); !control.IsNotFound(err) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := ctl.AddFaults(ctx, []api.FaultRule{{Action: api.FaultAction(`{"type":"drop"}`)}, {Action: api.FaultAction(`{"type":"ignore-range"}`)}}); err != nil {
		t.Fatal(err)
	}
	// Non-download targets take status faults too: a delete that fails.
	if _, err := ctl.AddFaultsJSON(ctx, []byte(`{"match":{"target":"delete"},"action":{"type":"status","status":500}}`)); err != nil {
		t.Fatal(err)
	}
	del, _ := http.NewRequest(http.MethodDelete, rig.doc.DeleteLocation, nil)
	resp, err := rig.client.Do(del)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := ctl.Document(ctx, rig.doc.ID); resp.StatusCode != 500 || err != nil {
		t.Errorf("faulted delete: %d, document lookup %v", resp.StatusCode, err)
	}
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if rs, err := ctl.Faults(ctx); err != nil || len(rs) != 0 {
		t.Errorf("after clear: %+v %v", rs, err)
	}
}
