package contract

import (
	"bytes"
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
)

func TestRangeStart(t *testing.T) {
	for v, want := range map[string]int64{"bytes=0-": 0, "bytes=163840-": 163840, "bytes=10-20": 10, "bytes=-100": 900,
		"bytes=-5000": 0, "bytes=5-,9-": 5, "items=0-": -1, "bytes=x-": -1, "": -1} {
		if got := rangeStart(v, 1000); got != want {
			t.Errorf("rangeStart(%q) = %d, want %d", v, got, want)
		}
	}
}

// media is a GET of document d's media as the journal records it.
func media(rng string, status int, sent int64, fault string) journal.Entry {
	return journal.Entry{Method: "GET", Target: journal.TargetMedia, DocumentID: "d", Path: "/v1/objects/d/content/audio",
		RangeAsked: rng, Status: status, BytesSent: sent, Fault: fault}
}

func TestJudgeResume(t *testing.T) {
	rec := api.Recording{Documents: []api.Document{{ID: "d", Size: 1000}}}
	cut := media("", 200, 400, "r reset: connection reset (TCP RST) after 400 of 1000 body bytes")
	for _, tc := range []struct {
		name    string
		es      []journal.Entry
		verdict Verdict
		msg     string
	}{
		{"exact", []journal.Entry{cut, media("bytes=400-", 206, 600, "")}, Pass, "resumed with Range: bytes=400- after the connection reset at byte 400 of 1000"},
		{"from zero", []journal.Entry{cut, media("bytes=0-", 206, 1000, "")}, Fail,
			"after the connection reset at byte 400 your client asked for bytes=0- instead of bytes=400-: it re-downloaded 400 bytes"},
		{"no range", []journal.Entry{cut, media("", 200, 1000, "")}, Fail,
			"after the connection reset at byte 400 your client asked for the whole file again (no Range header) instead of bytes=400-: it re-downloaded 400 bytes"},
		{"hole", []journal.Entry{cut, media("bytes=500-", 206, 500, "")}, Fail,
			"after the connection reset at byte 400 your client asked for bytes=500- instead of bytes=400-: bytes 400 to 499 are missing from its file"},
		{"gave up", []journal.Entry{cut}, Fail, "after the connection reset at byte 400 your client never asked for the rest of chunk 0 (d)"},
		{"resumed then stopped", []journal.Entry{cut, media("bytes=400-", 206, 100, "")}, Fail,
			"resumed with Range: bytes=400- after the connection reset, but then your client downloaded only 500 of the 1000 bytes"},
		{"never", nil, Fail, "could not test resumption: your client never downloaded the media (contentLocation) of chunk 0 (d)"},
	} {
		r := &run{cfg: Config{}.withDefaults(), results: map[string]Result{}}
		r.judgeResume(&snapshot{byDoc: map[string][]journal.Entry{"d": tc.es}}, rec, "r")
		got := r.results[CheckResume]
		if got.Verdict != tc.verdict || !strings.HasPrefix(got.Message, tc.msg) {
			t.Errorf("%s: %s %q\nwant %s %q", tc.name, got.Verdict, got.Message, tc.verdict, tc.msg)
		}
	}
}

func TestJudgeAnswers(t *testing.T) {
	for _, tc := range []struct {
		a   eventgrid.Attempt
		msg string
	}{
		{eventgrid.Attempt{Status: 200, Outcome: eventgrid.OutcomeDelivered, Duration: 3 * time.Second},
			"your webhook took 3 s to answer a RecordingFileStatusUpdated event (limit 2 s;"},
		{eventgrid.Attempt{Status: 500, Outcome: eventgrid.OutcomeGenericError},
			"your webhook answered 500 to a RecordingFileStatusUpdated event; Event Grid counts only 200-204 as delivered and would retry it after 10s"},
		{eventgrid.Attempt{Status: 400, Outcome: eventgrid.OutcomeBadRequest},
			"your webhook answered 400 to a RecordingFileStatusUpdated event; Event Grid does not retry a 400"},
		{eventgrid.Attempt{Outcome: eventgrid.OutcomeSocketError, Error: "connection refused"},
			"the delivery of a RecordingFileStatusUpdated event failed (SocketError: connection refused)"},
	} {
		r := &run{cfg: Config{}.withDefaults(), results: map[string]Result{}}
		r.judgeAnswers(&snapshot{attempts: []eventgrid.Attempt{tc.a}})
		if got := r.results[CheckFastAnswer]; got.Verdict != Fail || !strings.HasPrefix(got.Message, tc.msg) {
			t.Errorf("%+v: %s %q, want FAIL %q", tc.a, got.Verdict, got.Message, tc.msg)
		}
	}
}

func TestReportFormats(t *testing.T) {
	rep := Report{Webhook: "http://app/events", Emulator: "http://127.0.0.1:10900", Started: time.Unix(0, 0), Duration: 1500 * time.Millisecond,
		Results: []Result{
			{Check: Checks[0], Verdict: Pass, Message: "ok"},
			{Check: Checks[4], Verdict: Fail, Message: "asked for bytes=0- <instead>", Details: []string{"GET /x"}},
			{Check: Checks[7], Verdict: Skipped, Message: "not run"},
		}}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	want := "Contract report for http://app/events (emulator http://127.0.0.1:10900)\n\n" +
		"PASS  answers the subscription validation event\n      ok\n" +
		"FAIL  resumes from the exact byte after a connection reset\n      asked for bytes=0- <instead>\n        - GET /x\n" +
		"SKIP  writes files whose SHA-256 matches the service's\n      not run\n" +
		"\n1 passed, 1 failed, 1 skipped in 1.5s\n"
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	var junit bytes.Buffer
	if err := rep.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, junit.String())
	}
	set := doc.Suites[0]
	if doc.Tests != 3 || doc.Failures != 1 || set.Skipped != 1 || set.Cases[1].Failure.Text != "asked for bytes=0- <instead>\nGET /x" {
		t.Errorf("JUnit:\n%s", junit.String())
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	if _, err := Run(context.Background(), Config{Webhook: "http://x/"}); err == nil || !strings.Contains(err.Error(), "Control is required") {
		t.Errorf("no control: %v", err)
	}
	c, _ := control.NewClient("http://127.0.0.1:1", nil)
	if _, err := Run(context.Background(), Config{Control: c, Webhook: "x"}); err == nil || !strings.Contains(err.Error(), "is not an http(s) URL") {
		t.Errorf("bad webhook: %v", err)
	}
}
