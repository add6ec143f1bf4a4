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
// that the contract does not require.
const (
	Pass    Verdict = "PASS"
	Fail    Verdict = "FAIL"
	Info    Verdict = "INFO"
	Skipped Verdict = "SKIP"
)

// Check names one check.
type Check struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Check IDs.
const (
	CheckValidation   = "validation"
	CheckCloudEvents  = "cloudevents-handshake"
	CheckFastAnswer   = "fast-answer"
	CheckDownloadOnce = "download-once"
	CheckResume       = "resume-after-reset"
	CheckRetryAfter   = "retry-after"
	CheckDuplicate    = "duplicate-delivery"
	CheckFiles        = "files-on-disk"
)

// Checks lists every check in the order of the report.
var Checks = []Check{
	{CheckValidation, "answers the subscription validation event"},
	{CheckCloudEvents, "grants the CloudEvents 1.0 OPTIONS handshake"},
	{CheckFastAnswer, "answers recording events with 200-204 fast"},
	{CheckDownloadOnce, "downloads every chunk and its metadata exactly once"},
	{CheckResume, "resumes from the exact byte after a connection reset"},
	{CheckRetryAfter, "waits for Retry-After after a 503"},
	{CheckDuplicate, "does not download again when an event is delivered twice"},
	{CheckFiles, "writes files whose SHA-256 matches the service's"},
	checkRefusesUnauthenticated,
	checkForeignHost,
	checkOtherDocument,
	checkTokenFaults,
	checkForgedCallback,
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
	Results  []Result      `json:"results"`
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
	if n[Skipped] > 0 {
		s += fmt.Sprintf(", %d skipped", n[Skipped])
	}
	return s
}

// WriteText writes the human report.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Contract report for %s (emulator %s)\n\n", r.Webhook, r.Emulator)
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%-4s  %s\n", res.Verdict, res.Title)
		fmt.Fprintf(&b, "      %s\n", res.Message)
		for _, d := range res.Details {
			fmt.Fprintf(&b, "        - %s\n", d)
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
		c := junitCase{Name: res.Title, Classname: "acsemu.contract." + res.ID, Time: "0"}
		switch res.Verdict {
		case Fail:
			c.Failure = &junitMessage{Message: res.Message, Type: "ContractViolation", Text: text}
			set.Failures++
		case Skipped:
			c.Skipped = &junitMessage{Message: res.Message}
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
