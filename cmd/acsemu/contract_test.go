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
	if err == nil || !strings.Contains(err.Error(), `1 of 16 checks failed, first "resume-after-reset"`) {
		t.Fatalf("err = %v, want 1 failed check\n%s", err, out)
	}
	for _, want := range []string{
		"connection string: endpoint=http://127.0.0.1:",
		"  seed:              ", // random unless --seed: ids differ from the last run
		"FAIL    resumes from the exact byte after a connection reset\n" +
			"        after the connection reset at byte 163840 your client asked for bytes=0- instead of bytes=163840-: it re-downloaded 163840 bytes\n",
		"PASS    waits for Retry-After after a 503",
		"SKIP    writes files whose SHA-256 matches the service's",
		"11 passed, 1 failed, 1 informational, 3 skipped in ",
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
	if doc.Tests != 16 || doc.Failures != 1 || len(doc.Suite.Cases) != 16 {
		t.Fatalf("JUnit: %d tests, %d failures, %d cases; want 16, 1, 16\n%s", doc.Tests, doc.Failures, len(doc.Suite.Cases), raw)
	}
	c := doc.Suite.Cases[7]
	if c.Name != "resumes from the exact byte after a connection reset" || c.Failure == nil ||
		!strings.HasPrefix(c.Failure.Message, "after the connection reset at byte 163840") {
		t.Errorf("JUnit case 7 = %+v, want the resume failure", c)
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
		{[]string{"--webhook", "http://127.0.0.1:1/", "--waive", "retry-after"}, `cannot waive "retry-after": it is required`},
		{[]string{"--webhook", "http://127.0.0.1:1/", "--waivers", "/nonexistent/waivers"}, "--waivers: open /nonexistent/waivers"},
		{[]string{"--webhook", "http://127.0.0.1:1/", "--storage-host", "https://us-storage.asm.skype.com:443"}, "must be a bare host name"},
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
	if !strings.Contains(out, "12 passed, 0 failed, 1 informational, 3 skipped in ") {
		t.Errorf("report:\n%s", out)
	}
}

// TestContractWaivesARecommendationByFlagOrFile: a webhook that skips the
// metadata fails the recommendation clearly, and passes once it is waived by
// name, the reason shown in the report and the JUnit output.
func TestContractWaivesARecommendationByFlagOrFile(t *testing.T) {
	out, err := contractAgainst(t, brokenhooks.SkipsMetadata)
	if err == nil || !strings.Contains(err.Error(), `1 of 16 checks failed, first "metadata"`) ||
		!strings.Contains(out, "FAIL    downloads each chunk's metadata (recommended)\n        your client never downloaded the metadata (metadataLocation) of chunk 0") ||
		!strings.Contains(out, "waive this check (--waive metadata) if your app does not need it") {
		t.Fatalf("err = %v, want the metadata recommendation failed\n%s", err, out)
	}
	if out, err := contractAgainst(t, brokenhooks.SkipsMetadata, "--waive", "metadata"); err != nil ||
		!strings.Contains(out, "WAIVED  downloads each chunk's metadata (recommended)\n        waived (waived with --waive): your client never downloaded") ||
		!strings.Contains(out, "11 passed, 0 failed, 1 informational, 1 waived, 3 skipped in ") {
		t.Fatalf("--waive metadata: err = %v\n%s", err, out)
	}
	dir := t.TempDir()
	file, junit := filepath.Join(dir, "waivers"), filepath.Join(dir, "contract.xml")
	if err := os.WriteFile(file, []byte("# recommendations we do not follow\nmetadata  we only keep the audio\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := contractAgainst(t, brokenhooks.SkipsMetadata, "--waivers", file, "--junit-report", junit); err != nil ||
		!strings.Contains(out, "waived (we only keep the audio): your client never downloaded") {
		t.Fatalf("--waivers: err = %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(junit)
	if !strings.Contains(string(raw), `<testcase name="downloads each chunk&#39;s metadata" classname="acsemu.contract.recommended.metadata" time="0">`) ||
		!strings.Contains(string(raw), `<skipped message="waived (we only keep the audio): your client never downloaded`) {
		t.Errorf("JUnit lacks the waiver:\n%s", raw)
	}
}

// TestCAFirst: `acsemu ca --dir` makes the CA before any emulator runs, and
// reuses it afterwards; serve's flags and environment take the directory and
// the storage host.
func TestCAFirst(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	var first, second, stderr bytes.Buffer
	if err := run(context.Background(), []string{"ca", "--dir", dir}, envOf(nil), &first, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "created the CA in "+dir) || !strings.HasPrefix(first.String(), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("first: %q %q", stderr.String(), first.String())
	}
	stderr.Reset()
	if err := run(context.Background(), []string{"ca", "--dir=" + dir}, envOf(nil), &second, &stderr); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if !strings.Contains(stderr.String(), "reused the CA") || second.String() != first.String() || string(onDisk) != first.String() {
		t.Fatalf("second: %q; the CA must be reused", stderr.String())
	}
	cfg, err := LoadServe(nil, envOf(map[string]string{"ACSEMU_CA_DIR": dir, "ACSEMU_STORAGE_HOST": "us-storage.asm.skype.com", "ACSEMU_TLS": "true"}), io.Discard)
	if err != nil || cfg.Options().CADir != dir || cfg.Options().StorageHost != "us-storage.asm.skype.com" {
		t.Fatalf("serve config from the environment: %+v %v", cfg, err)
	}
	cfg.Addr = "127.0.0.1:0"
	srv, err := emulator.New(cfg.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var env bytes.Buffer
	printAppEnv(&env, srv, cfg.StorageHost)
	for _, want := range []string{"ACS_CONNECTION_STRING='endpoint=https://127.0.0.1:", "NODE_EXTRA_CA_CERTS=" + filepath.Join(dir, "ca.pem"),
		"SSL_CERT_FILE=" + filepath.Join(dir, "ca.pem"), "\n    127.0.0.1 us-storage.asm.skype.com\n"} {
		if !strings.Contains(env.String(), want) {
			t.Errorf("environment lacks %q:\n%s", want, env.String())
		}
	}
	if err := run(context.Background(), []string{"ca", "--dir"}, envOf(nil), io.Discard, io.Discard); err == nil {
		t.Error("ca --dir without a value must fail")
	}
}
