package contract

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
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

func mustCheck(t *testing.T, id string) Check {
	t.Helper()
	c, ok := check(id)
	if !ok {
		t.Fatalf("no check %q", id)
	}
	return c
}

func TestReportFormats(t *testing.T) {
	rep := Report{Webhook: "http://app/events", Emulator: "http://127.0.0.1:10900", Started: time.Unix(0, 0), Duration: 1500 * time.Millisecond,
		RootCause: "download-once: no download request arrived",
		Results: []Result{
			{Check: mustCheck(t, CheckValidation), Verdict: Pass, Message: "ok"},
			{Check: mustCheck(t, CheckResume), Verdict: Fail, Message: "asked for bytes=0- <instead>", Details: []string{"GET /x"}},
			{Check: mustCheck(t, CheckMetadata), Verdict: Waived, Message: "waived (we do not use it): never downloaded"},
			{Check: mustCheck(t, CheckRetryAfter), Verdict: NotApplicable, Message: "not applicable: no download request arrived"},
			{Check: mustCheck(t, CheckFiles), Verdict: Skipped, Message: "not run"},
		}}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	want := "Contract report for http://app/events (emulator http://127.0.0.1:10900)\n\n" +
		"ROOT CAUSE  download-once: no download request arrived\n\n" +
		"PASS    answers the subscription validation event\n        ok\n" +
		"FAIL    resumes from the exact byte after a connection reset\n        asked for bytes=0- <instead>\n          - GET /x\n" +
		"WAIVED  downloads each chunk's metadata (recommended)\n        waived (we do not use it): never downloaded\n" +
		"N/A     waits for Retry-After after a 503\n        not applicable: no download request arrived\n" +
		"SKIP    writes files whose SHA-256 matches the service's\n        not run\n" +
		"\n1 passed, 1 failed, 1 not applicable, 1 waived, 1 skipped in 1.5s\n"
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
	if doc.Tests != 5 || doc.Failures != 1 || set.Skipped != 3 || set.Cases[1].Failure.Text != "asked for bytes=0- <instead>\nGET /x" {
		t.Errorf("JUnit:\n%s", junit.String())
	}
	if c := set.Cases[2]; c.Skipped == nil || c.Skipped.Message != "waived (we do not use it): never downloaded" || c.Classname != "acsemu.contract.recommended.metadata" {
		t.Errorf("waived case: %+v", c)
	}
	if c := set.Cases[3]; c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "not applicable: ") || c.Classname != "acsemu.contract.required.retry-after" {
		t.Errorf("not applicable case: %+v", c)
	}
}

func TestParseWaivers(t *testing.T) {
	got, err := ParseWaivers("metadata, ", strings.NewReader("# our app ignores metadata\nevery-chunk   calls are shorter than one chunk # why\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[CheckMetadata] != "waived with --waive" || got[CheckEveryChunk] != "calls are shorter than one chunk" {
		t.Errorf("waivers = %q", got)
	}
	for _, tc := range []struct{ list, file, want string }{
		{"resume-after-reset", "", `cannot waive "resume-after-reset": it is required by the service's contract, not a recommendation; waivable: every-chunk, metadata`},
		{"metdata", "", `cannot waive "metdata": no such check`},
		{"", "metadata\n", `waivers line 1: "metadata" has no reason`},
		{"", "retry-after we know better\n", `cannot waive "retry-after": it is required`},
	} {
		var r io.Reader
		if tc.file != "" {
			r = strings.NewReader(tc.file)
		}
		if _, err := ParseWaivers(tc.list, r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseWaivers(%q, %q) = %v, want %q", tc.list, tc.file, err, tc.want)
		}
	}
}

// TestRootCause: one cause makes its dependents not applicable, and waivers
// apply to the failed recommendations only.
func TestRootCause(t *testing.T) {
	failAll := func(r *run) {
		for _, c := range Checks {
			r.set(c.ID, Fail, "bad "+c.ID)
		}
		r.set(CheckValidation, Pass, "ok")
		r.set(CheckCloudEvents, Info, "no")
	}
	r := &run{cfg: Config{Waivers: map[string]string{CheckMetadata: "not needed"}}.withDefaults(), results: map[string]Result{}, noDownloads: true}
	failAll(r)
	r.set(CheckAlive, Pass, "alive")
	if got := r.rootCause(); got != "download-once: bad download-once" {
		t.Errorf("root cause %q", got)
	}
	r.waive()
	for _, c := range Checks {
		v := r.results[c.ID].Verdict
		want := map[bool]Verdict{true: NotApplicable, false: Fail}[c.NeedsDownloads]
		switch c.ID {
		case CheckValidation, CheckAlive:
			want = Pass
		case CheckCloudEvents:
			want = Info
		}
		if v != want {
			t.Errorf("%s: %s, want %s (%s)", c.ID, v, want, r.results[c.ID].Message)
		}
	}
	if res := r.results[CheckResume]; res.Message != "not applicable: no download request arrived (root cause: download-once)" || len(res.Details) != 0 {
		t.Errorf("resume: %+v", res)
	}

	crashed := &run{cfg: Config{}.withDefaults(), results: map[string]Result{}, crashed: true}
	failAll(crashed)
	crashed.set(CheckResume, Pass, "resumed before the crash")
	if got := crashed.rootCause(); !strings.HasPrefix(got, "webhook-alive: ") {
		t.Errorf("root cause %q", got)
	}
	if res := crashed.results[CheckRetryAfter]; res.Message != "not applicable: your webhook had stopped answering (root cause: webhook-alive)" ||
		res.Details[0] != "what was seen: bad retry-after" {
		t.Errorf("retry-after after a crash: %+v", res)
	}
	for id, want := range map[string]Verdict{CheckFastAnswer: NotApplicable, CheckRetryAfter: NotApplicable, CheckResume: Pass, CheckAlive: Fail, CheckValidation: Pass} {
		if v := crashed.results[id].Verdict; v != want {
			t.Errorf("after a crash %s: %s, want %s", id, v, want)
		}
	}

	waived := &run{cfg: Config{Waivers: map[string]string{CheckMetadata: "not needed", CheckEveryChunk: "short calls"}}.withDefaults(), results: map[string]Result{}}
	waived.set(CheckMetadata, Fail, "never downloaded the metadata")
	waived.set(CheckEveryChunk, Pass, "all")
	if waived.rootCause() != "" {
		t.Error("root cause without one")
	}
	waived.waive()
	if res := waived.results[CheckMetadata]; res.Verdict != Waived || res.Message != "waived (not needed): never downloaded the metadata" {
		t.Errorf("waived metadata: %+v", res)
	}
	if waived.results[CheckEveryChunk].Verdict != Pass {
		t.Error("a passing waived check must stay PASS")
	}
}

func TestEveryCheckHasAClassAndAUniqueID(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Checks {
		if seen[c.ID] || c.Title == "" || (c.Class != Required && c.Class != Recommended && c.Class != Informational) {
			t.Errorf("check %+v", c)
		}
		seen[c.ID] = true
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

// FuzzParseWaivers: whatever the flag and file say, the waivers accepted are
// recommendations with a reason, and nothing panics.
func FuzzParseWaivers(f *testing.F) {
	f.Add("metadata", "every-chunk short calls\n")
	f.Add("resume-after-reset,", "# x\nmetadata\n")
	f.Fuzz(func(t *testing.T, list, file string) {
		w, err := ParseWaivers(list, strings.NewReader(file))
		if err != nil {
			return
		}
		for id, reason := range w {
			if c, ok := check(id); !ok || c.Class != Recommended || reason == "" {
				t.Fatalf("accepted waiver %q (%q)", id, reason)
			}
		}
	})
}
