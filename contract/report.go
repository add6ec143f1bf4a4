package contract

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Verdict is the outcome of one check.
type Verdict string

// Verdicts. Only Fail makes the run fail; Info reports something worth knowing
// that the contract does not require; NotApplicable is a check that could not
// be judged because of the run's root cause (a webhook that never downloads
// cannot be judged on resuming); Waived is a failed recommendation the user
// chose to waive.
const (
	Pass          Verdict = "PASS"
	Fail          Verdict = "FAIL"
	Info          Verdict = "INFO"
	Skipped       Verdict = "SKIP"
	NotApplicable Verdict = "N/A"
	Waived        Verdict = "WAIVED"
)

// Class says how binding a check is.
type Class string

// Classes. Required checks are the service's contract: breaking one loses or
// corrupts recordings, or gets the app throttled or its key leaked.
// Recommended checks are good practice an app may deliberately not follow
// (then waive them by name); Informational checks never fail.
const (
	Required      Class = "required"
	Recommended   Class = "recommended"
	Informational Class = "informational"
)

// Check names one check.
type Check struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Class Class  `json:"class"`
	// NeedsDownloads marks a check that judges downloads: not applicable
	// when no download request arrives at all.
	NeedsDownloads bool `json:"-"`
	// judge, if set, sets the check's result from the run's snapshot after
	// the downloads; checks without one are set by a phase of the run.
	judge func(r *run, s *snapshot, ex exercise)
}

// Check IDs.
const (
	CheckValidation   = "validation"
	CheckCloudEvents  = "cloudevents-handshake"
	CheckFastAnswer   = "fast-answer"
	CheckAlive        = "webhook-alive"
	CheckDownloadOnce = "download-once"
	CheckEveryChunk   = "every-chunk"
	CheckMetadata     = "metadata"
	CheckResume       = "resume-after-reset"
	CheckRetryAfter   = "retry-after"
	CheckDuplicate    = "duplicate-delivery"
	CheckFiles        = "files-on-disk"
)

// Checks lists every check in the order of the report. A new check is one
// entry here, with its class and judge.
var Checks = []Check{
	{ID: CheckValidation, Title: "answers the subscription validation event", Class: Required},
	{ID: CheckCloudEvents, Title: "grants the CloudEvents 1.0 OPTIONS handshake", Class: Informational},
	{ID: CheckFastAnswer, Title: "answers recording events with 200-204 fast", Class: Required,
		judge: func(r *run, s *snapshot, _ exercise) { r.judgeAnswers(s) }},
	{ID: CheckAlive, Title: "keeps answering through storage faults (no crash, no hang)", Class: Required,
		judge: func(r *run, s *snapshot, _ exercise) { r.judgeAlive(s) }},
	{ID: CheckDownloadOnce, Title: "downloads a recording it is told about, without duplicate work", Class: Required,
		judge: func(r *run, s *snapshot, ex exercise) { r.judgeDownloadOnce(s, ex.plain) }},
	{ID: CheckEveryChunk, Title: "downloads every chunk of a recording, not only the first", Class: Recommended, NeedsDownloads: true,
		judge: func(r *run, s *snapshot, ex exercise) { r.judgeEvery(s, ex.plain, CheckEveryChunk) }},
	{ID: CheckMetadata, Title: "downloads each chunk's metadata", Class: Recommended, NeedsDownloads: true,
		judge: func(r *run, s *snapshot, ex exercise) { r.judgeEvery(s, ex.plain, CheckMetadata) }},
	{ID: CheckResume, Title: "resumes from the exact byte after a connection reset", Class: Required, NeedsDownloads: true,
		judge: func(r *run, s *snapshot, ex exercise) { r.judgeResume(s, ex.reset, ex.resetRule) }},
	{ID: CheckRetryAfter, Title: "waits for Retry-After after a 503", Class: Required, NeedsDownloads: true,
		judge: func(r *run, s *snapshot, ex exercise) { r.judgeRetryAfter(s, ex.busy, ex.busyRule) }},
	{ID: CheckDuplicate, Title: "does not download again when an event is delivered twice", Class: Required, NeedsDownloads: true,
		judge: func(r *run, s *snapshot, ex exercise) { r.judgeDuplicate(s, ex.dup, ex.dupRule) }},
	{ID: CheckFiles, Title: "writes files whose SHA-256 matches the service's", Class: Required, NeedsDownloads: true},
	// The security checks are set by their own phase (security.go).
	checkRefusesUnauthenticated,
	checkForeignHost,
	checkOtherDocument,
	checkTokenFaults,
	checkForgedCallback,
}

// check returns the check with the given ID.
func check(id string) (Check, bool) {
	for _, c := range Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Result is the verdict of one check, with a message a developer can act on.
type Result struct {
	Check
	Verdict Verdict `json:"verdict"`
	Message string  `json:"message"`
	// Details are the facts behind the verdict (journal lines, subscription
	// state).
	Details []string `json:"details,omitempty"`
}

// Report is the outcome of a contract run.
type Report struct {
	Webhook  string        `json:"webhook"`
	Emulator string        `json:"emulator"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	// RootCause, when set, is the one failure that made other checks not
	// applicable (a webhook that never downloads, or that crashed).
	RootCause string   `json:"rootCause,omitempty"`
	Results   []Result `json:"results"`
}

// Result returns the result of the check with the given ID.
func (r Report) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.ID == id {
			return res, true
		}
	}
	return Result{}, false
}

// Failed returns the failed checks.
func (r Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Verdict == Fail {
			out = append(out, res)
		}
	}
	return out
}

// Summary counts the verdicts: "5 passed, 1 failed, 1 informational".
func (r Report) Summary() string {
	n := map[Verdict]int{}
	for _, res := range r.Results {
		n[res.Verdict]++
	}
	s := fmt.Sprintf("%d passed, %d failed", n[Pass], n[Fail])
	if n[Info] > 0 {
		s += fmt.Sprintf(", %d informational", n[Info])
	}
	if n[NotApplicable] > 0 {
		s += fmt.Sprintf(", %d not applicable", n[NotApplicable])
	}
	if n[Waived] > 0 {
		s += fmt.Sprintf(", %d waived", n[Waived])
	}
	if n[Skipped] > 0 {
		s += fmt.Sprintf(", %d skipped", n[Skipped])
	}
	return s
}

// WriteText writes the human report.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Contract report for %s (emulator %s)\n\n", r.Webhook, r.Emulator)
	if r.RootCause != "" {
		fmt.Fprintf(&b, "ROOT CAUSE  %s\n\n", r.RootCause)
	}
	for _, res := range r.Results {
		title := res.Title
		if res.Class == Recommended {
			title += " (recommended)"
		}
		fmt.Fprintf(&b, "%-6s  %s\n", res.Verdict, title)
		fmt.Fprintf(&b, "        %s\n", res.Message)
		for _, d := range res.Details {
			fmt.Fprintf(&b, "          - %s\n", d)
		}
	}
	fmt.Fprintf(&b, "\n%s in %.1fs\n", r.Summary(), r.Duration.Seconds())
	_, err := io.WriteString(w, b.String())
	return err
}

type junitSuites struct {
	XMLName  xml.Name   `xml:"testsuites"`
	Name     string     `xml:"name,attr"`
	Tests    int        `xml:"tests,attr"`
	Failures int        `xml:"failures,attr"`
	Time     string     `xml:"time,attr"`
	Suites   []junitSet `xml:"testsuite"`
}

type junitSet struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML, one test case per check, for CI
// systems that show test results.
func (r Report) WriteJUnit(w io.Writer) error {
	secs := fmt.Sprintf("%.3f", r.Duration.Seconds())
	set := junitSet{Name: "acsemu contract " + r.Webhook, Time: secs, Timestamp: r.Started.UTC().Format(time.RFC3339)}
	for _, res := range r.Results {
		text := strings.Join(append([]string{res.Message}, res.Details...), "\n")
		c := junitCase{Name: res.Title, Classname: "acsemu.contract." + string(res.Class) + "." + res.ID, Time: "0"}
		switch res.Verdict {
		case Fail:
			c.Failure = &junitMessage{Message: res.Message, Type: "ContractViolation", Text: text}
			set.Failures++
		case Skipped, NotApplicable, Waived:
			// JUnit has no "not applicable" or "waived": a skipped case
			// whose message starts with what it is.
			c.Skipped = &junitMessage{Message: res.Message, Text: text}
			set.Skipped++
		default:
			c.SystemOut = string(res.Verdict) + ": " + text
		}
		set.Cases = append(set.Cases, c)
		set.Tests++
	}
	doc := junitSuites{Name: "acsemu contract", Tests: set.Tests, Failures: set.Failures, Time: secs, Suites: []junitSet{set}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
