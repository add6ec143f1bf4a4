package download_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/auth"
	"github.com/acsemu/acsemu/emulator/journal"
)

// A forged event must not make the client send anything, signed or not.
func TestRefusedJobsSendNothing(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 20})
	doc := e.recording(1, 50_000).Documents[0]
	good := jobOf(doc)
	evil := func(f func(*jobs.Job)) jobs.Job { j := good; f(&j); return j }
	cases := map[string]jobs.Job{
		"other host": evil(func(j *jobs.Job) {
			j.ContentLocation = "https://attacker.example/v1/objects/" + doc.ID + "/content/audio"
		}),
		"other host metadata": evil(func(j *jobs.Job) { j.MetadataLocation = "http://attacker.example/x" }),
		"user info": evil(func(j *jobs.Job) {
			j.ContentLocation = strings.Replace(doc.ContentLocation, "http://", "http://user:pw@", 1)
		}),
		"other port":         evil(func(j *jobs.Job) { j.ContentLocation = "http://127.0.0.1:1/v1/objects/" + doc.ID + "/content/audio" }),
		"not http":           evil(func(j *jobs.Job) { j.ContentLocation = "file:///etc/passwd" }),
		"dot dot id":         evil(func(j *jobs.Job) { j.DocumentID = "../../x" }),
		"slash id":           evil(func(j *jobs.Job) { j.DocumentID = "a/b" }),
		"dot id":             evil(func(j *jobs.Job) { j.DocumentID = ".." }),
		"hidden id":          evil(func(j *jobs.Job) { j.DocumentID = ".acsrec" }),
		"empty id":           evil(func(j *jobs.Job) { j.DocumentID = "" }),
		"dot dot preview id": {DocumentID: "..%2F..%2Fx"},
		"only one location":  evil(func(j *jobs.Job) { j.MetadataLocation = "" }),
		// Id/location poisoning: the event names document A, its locations B.
		"content of another document": evil(func(j *jobs.Job) {
			j.ContentLocation = strings.Replace(doc.ContentLocation, doc.ID, "0-eus-d1-other", 1)
		}),
		"metadata of another document": evil(func(j *jobs.Job) {
			j.MetadataLocation = strings.Replace(doc.MetadataLocation, doc.ID, "0-eus-d1-other", 1)
		}),
		"delete of another document": evil(func(j *jobs.Job) {
			j.DeleteLocation = strings.Replace(doc.DeleteLocation, doc.ID, "0-eus-d1-other", 1)
		}),
		"escaped traversal after the id": evil(func(j *jobs.Job) {
			j.ContentLocation = strings.Replace(doc.ContentLocation, "/content/audio", "/..%2F..%2Fother/content/audio", 1)
		}),
		"another document's location as this id's": evil(func(j *jobs.Job) { j.DocumentID = "0-eus-d1-other" }),
	}
	counter := &faulty{base: newTransport(), all: true}
	d := e.downloader(download.Options{Transport: counter})
	for name, j := range cases {
		_, err := d.Document(context.Background(), j)
		if err == nil || !jobs.IsPermanent(err) || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	var refused *download.RefusedError
	if _, err := d.Document(context.Background(), cases["other host"]); !errors.As(err, &refused) {
		t.Errorf("not a RefusedError: %v", err)
	}
	if n := counter.sent.Load(); n != 0 {
		t.Errorf("%d requests left the client", n)
	}
	if n := e.count(api.RequestFilter{}, 0); n != 0 {
		t.Errorf("the emulator saw %d requests", n)
	}
	entries, _ := os.ReadDir(e.dir)
	if len(entries) != 0 || fileExists(filepath.Join(filepath.Dir(e.dir), "x")) {
		t.Errorf("files were written: %v", entries)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// The runner fails a refused job at once: no retries, the reason kept.
func TestRunnerFailsRefusedJob(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	store := e.store()
	defer store.Close()
	counter := &faulty{base: newTransport(), all: true}
	d := e.downloader(download.Options{Transport: counter, State: store})
	if _, err := store.Add(jobs.Job{DocumentID: "doc1", ContentLocation: "https://evil.example/a", MetadataLocation: "https://evil.example/b"}); err != nil {
		t.Fatal(err)
	}
	got := runAll(t, store, d, 1)["doc1"]
	if got.State != jobs.Failed || got.Attempts != 1 || !strings.Contains(got.LastError, `host "evil.example"`) {
		t.Errorf("job %+v", got)
	}
	if counter.sent.Load() != 0 {
		t.Error("a request was sent")
	}
}

// Locations on a storage host other than the endpoint are signed for the
// endpoint with x-ms-host, as the Call Automation SDKs do; redirects are not
// followed anywhere.
func TestStorageHostIsSignedWithXMSHost(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 21, StorageBaseURL: "http://us-storage.asm.skype.test"})
	doc := e.recording(1, 50_000).Documents[0]
	if !strings.HasPrefix(doc.ContentLocation, "http://us-storage.asm.skype.test/") {
		t.Fatalf("location %s", doc.ContentLocation)
	}
	addr := strings.TrimPrefix(e.srv.URL(), "http://")
	tr := newTransport()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	d := e.downloader(download.Options{Transport: tr, AllowHosts: []string{"*.asm.skype.test"}})
	if _, err := d.Document(context.Background(), jobOf(doc)); err != nil {
		t.Fatal(err)
	}
	e.checkFiles(doc)
	for _, r := range e.requests(api.RequestFilter{DocumentID: doc.ID}, 2) {
		if r.Auth == nil || !r.Auth.OK || r.Auth.Variant != auth.VariantXMSHost || r.Header.Get("X-Ms-Host") != e.cs.Endpoint.Host {
			t.Errorf("%s: auth %+v, x-ms-host %q", r.Path, r.Auth, r.Header.Get("X-Ms-Host"))
		}
	}
	// Without the allow-list the same locations are refused.
	d2 := e.downloader(download.Options{Transport: tr})
	if _, err := d2.Document(context.Background(), jobOf(doc)); err == nil || !strings.Contains(err.Error(), "us-storage.asm.skype.test") {
		t.Errorf("err = %v", err)
	}
	if n := e.count(api.RequestFilter{Target: journal.TargetMedia}, 1); n != 1 {
		t.Errorf("%d media requests, want 1", n)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 22})
	doc := e.recording(1, 50_000).Documents[0]
	redirect := &faulty{base: newTransport(), all: true, after: func(_ int, r *http.Response) (*http.Response, error) {
		return replace(r, http.StatusFound, "Location", "https://attacker.example/steal"), nil
	}}
	_, err := e.downloader(download.Options{Transport: redirect}).Document(context.Background(), jobOf(doc))
	if err == nil || !jobs.IsPermanent(err) || redirect.sent.Load() != 1 {
		t.Fatalf("err = %v after %d requests", err, redirect.sent.Load())
	}
}

func TestPolicy(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ep := e.cs.Endpoint.Host
	for _, tc := range []struct {
		allow string
		host  string
		want  bool
	}{
		{"", ep, true},
		{"", "us-storage.asm.skype.com", false},
		// A pattern without a port matches the name whatever the port: the
		// emulator serves chunks at us-storage.asm.skype.com:10900.
		{"*.asm.skype.com", "us-storage.asm.skype.com", true},
		{"*.asm.skype.com", "us-storage.asm.skype.com:10900", true},
		{"*.asm.skype.com", "a.b.asm.skype.com:443", true},
		{"*.asm.skype.com", "asm.skype.com", false},
		{"*.asm.skype.com", "us-storage.asm.skype.com.evil", false},
		{"*.asm.skype.com", "us-storage.asm.skype.com.evil:10900", false},
		{"*.asm.skype.com", "evilasm.skype.com", false},
		{"US-storage.asm.skype.com", "us-storage.asm.skype.com", true},
		{"us-storage.asm.skype.com", "us-storage.asm.skype.com:10900", true},
		{"us-storage.asm.skype.com", "eu-storage.asm.skype.com:10900", false},
		// A port in the pattern restricts it.
		{"*.asm.skype.com:10900", "us-storage.asm.skype.com:10900", true},
		{"*.asm.skype.com:10900", "us-storage.asm.skype.com:10901", false},
		{"*.asm.skype.com:10900", "us-storage.asm.skype.com", false},
		{"us-storage.asm.skype.com:10900", "us-storage.asm.skype.com:10900", true},
		{"us-storage.asm.skype.com:10900", "us-storage.asm.skype.com:8443", false},
		// The host is normalised without its default port.
		{"*.asm.skype.com:443", "us-storage.asm.skype.com", true},
		{"127.0.0.1:10900", "127.0.0.1:10900", true},
		{"127.0.0.1:10900", "127.0.0.1:10901", false},
		{"127.0.0.1", "127.0.0.1:10901", true},
		{"[::1]:10900", "[::1]:10900", true},
		{"::1", "[::1]:10900", true},
		{"*.blob.example", "a.blob.example:8443", true},
		{"*.blob.example", "blob.example", false},
	} {
		p, err := download.NewPolicy(e.cs.Endpoint, []string{tc.allow, " "})
		if err != nil {
			t.Fatalf("NewPolicy(%q): %v", tc.allow, err)
		}
		if got := p.Allowed(tc.host); got != tc.want {
			t.Errorf("allow %q: Allowed(%q) = %v, want %v", tc.allow, tc.host, got, tc.want)
		}
	}
	for _, bad := range []string{"*", "*.com/x", "https://a.example", "a.example/path", "*.*.example", "*.example.com:x", "a.example:0",
		"a.example:99999", "*.com", "a:b:c", "user@a.example"} {
		if _, err := download.NewPolicy(e.cs.Endpoint, []string{bad}); err == nil {
			t.Errorf("NewPolicy accepted %q", bad)
		}
	}
	https, _ := download.NewPolicy(mustURLT(t, "https://contoso.communication.azure.com"), []string{"*.asm.skype.com"})
	for loc, ok := range map[string]bool{
		"https://us-storage.asm.skype.com/v1/objects/x/content/audio":     true,
		"https://us-storage.asm.skype.com:443/v1/objects/x/content/audio": true,
		"http://us-storage.asm.skype.com/v1/objects/x/content/audio":      false, // no downgrade
		"https://CONTOSO.communication.azure.com/recording/download/x":    true,
		"//us-storage.asm.skype.com/x":                                    false,
		"/v1/objects/x":                                                   false,
	} {
		if _, err := https.Check(loc); (err == nil) != ok {
			t.Errorf("Check(%q) = %v", loc, err)
		}
	}
}

func TestValidateID(t *testing.T) {
	for _, id := range []string{"0-eus-d12-801b3f3fc462fe8a01e6810cbff729b8", "a_b.C-9", "x"} {
		if err := download.ValidateID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	for _, id := range []string{"", ".", "..", "../x", "a/../b", "a\\b", "a/b", ".x", "a..b", "a b", "é", "a\x00", strings.Repeat("a", 201)} {
		if err := download.ValidateID(id); err == nil {
			t.Errorf("%q accepted", id)
		}
	}
}

func TestJobFromLocation(t *testing.T) {
	j, err := download.JobFromLocation("https://us-storage.asm.skype.com/v1/objects/0-eus-d1-ab/content/video")
	if err != nil || j.DocumentID != "0-eus-d1-ab" || j.MetadataLocation != "https://us-storage.asm.skype.com/v1/objects/0-eus-d1-ab/content/acsmetadata" {
		t.Fatalf("%+v %v", j, err)
	}
	for _, bad := range []string{"", "x", "https://h/v1/objects/../content/audio", "https://h/v1/objects/a/content/acsmetadata", "https://h/v1/objects/a"} {
		if _, err := download.JobFromLocation(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzAllowHosts: an accepted pattern never lets a host outside the pattern's
// domain through (a different last label), and parsing never panics.
func FuzzAllowHosts(f *testing.F) {
	for _, s := range []string{"*.asm.skype.com", "*.asm.skype.com:10900", "us-storage.asm.skype.com", "[::1]:1", "a:b"} {
		f.Add(s, "us-storage.asm.skype.com:10900")
	}
	endpoint := mustURLT(f, "https://contoso.communication.azure.com")
	f.Fuzz(func(t *testing.T, allow, host string) {
		p, err := download.NewPolicy(endpoint, []string{allow})
		if err != nil {
			return
		}
		_ = p.Allowed(host)
		const evil = "evil.example.invalid"
		a := strings.ToLower(strings.TrimSpace(allow))
		if h, _, err := net.SplitHostPort(a); err == nil {
			a = h
		}
		fits := a == evil || (strings.HasPrefix(a, "*.") && strings.HasSuffix(evil, a[1:]))
		if p.Allowed(evil) != fits || p.Allowed(evil+":8443") != (fits && !strings.Contains(strings.TrimPrefix(strings.ToLower(allow), a), ":")) {
			t.Fatalf("pattern %q: Allowed(%s) = %v, fits %v", allow, evil, p.Allowed(evil), fits)
		}
	})
}
