package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/fixtures/brokenhooks"
)

// contractAgainst runs `acsemu contract` on a free port against a fixture with
// flaw, started once the emulator listens (it needs its connection string).
func contractAgainst(t *testing.T, flaw brokenhooks.Flaw, extra ...string) (string, error) {
	t.Helper()
	var hook atomic.Pointer[brokenhooks.Hook]
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := hook.Load(); h != nil {
			h.ServeHTTP(w, r)
			return
		}
		http.Error(w, "not started", http.StatusServiceUnavailable)
	}))
	t.Cleanup(hs.Close)
	started := func(srv *emulator.Server) {
		h, err := brokenhooks.New(flaw, srv.ConnectionString(), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.Close)
		hook.Store(h)
	}
	var out bytes.Buffer
	args := append([]string{"--webhook", hs.URL + "/events?code=" + brokenhooks.Secret, "--addr", "127.0.0.1:0", "--quiet", "300ms", "--timeout", "20s"}, extra...)
	err := runContract(context.Background(), args, envOf(nil), &out, io.Discard, started)
	return out.String(), err
}

func TestContractFailsWithTheFlawAndWritesJUnit(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "contract.xml")
	out, err := contractAgainst(t, brokenhooks.RestartsFromZero, "--junit-report", junit)
	if err == nil || !strings.Contains(err.Error(), `1 of 13 checks failed, first "resume-after-reset"`) {
		t.Fatalf("err = %v, want 1 failed check\n%s", err, out)
	}
	for _, want := range []string{
		"connection string: endpoint=http://127.0.0.1:",
		"FAIL  resumes from the exact byte after a connection reset\n" +
			"      after the connection reset at byte 163840 your client asked for bytes=0- instead of bytes=163840-: it re-downloaded 163840 bytes\n",
		"PASS  waits for Retry-After after a 503",
		"SKIP  writes files whose SHA-256 matches the service's",
		"8 passed, 1 failed, 1 informational, 3 skipped in ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	raw, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suite    struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("JUnit report: %v\n%s", err, raw)
	}
	if doc.Tests != 13 || doc.Failures != 1 || len(doc.Suite.Cases) != 13 {
		t.Fatalf("JUnit: %d tests, %d failures, %d cases; want 13, 1, 13\n%s", doc.Tests, doc.Failures, len(doc.Suite.Cases), raw)
	}
	c := doc.Suite.Cases[4]
	if c.Name != "resumes from the exact byte after a connection reset" || c.Failure == nil ||
		!strings.HasPrefix(c.Failure.Message, "after the connection reset at byte 163840") {
		t.Errorf("JUnit case 4 = %+v, want the resume failure", c)
	}
}

func TestContractFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--webhook is required"},
		{[]string{"--webhook", "ftp://x/"}, `webhook "ftp://x/" is not an http(s) URL`},
		{[]string{"--webhook", "http://127.0.0.1:1/", "extra"}, "unexpected arguments: extra"},
	} {
		err := runContract(context.Background(), append(tc.args, "--addr", "127.0.0.1:0"), envOf(nil), io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("contract %q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestContractPassesAgainstACorrectWebhook(t *testing.T) {
	out, err := contractAgainst(t, brokenhooks.None)
	if err != nil {
		t.Fatalf("err = %v\n%s", err, out)
	}
	if !strings.Contains(out, "9 passed, 0 failed, 1 informational, 3 skipped in ") {
		t.Errorf("report:\n%s", out)
	}
}
