package signer

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/auth"
	"github.com/acsemu/acsemu/internal/hmacsig"
)

var vectorDate = time.Date(2025, 7, 1, 12, 34, 56, 0, time.UTC)

// capture is a base RoundTripper that records the request it gets.
type capture struct {
	req  *http.Request
	body string
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	c.req = r
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		c.body = string(b)
	}
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
}

type fixture struct {
	Vectors []struct {
		Name       string
		Input      struct{ Method, URL, Body, AccessKeyBase64 string }
		SdkHeaders map[string]string
	}
	CallAutomationDownload []struct {
		Input      struct{ Endpoint, AccessKeyBase64 string }
		WireURL    string
		Method     string
		SdkHeaders map[string]string
	}
}

func loadFixture(t *testing.T) fixture {
	t.Helper()
	raw, err := os.ReadFile("../../fixtures/hmac-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestVectors(t *testing.T) {
	for _, v := range loadFixture(t).Vectors {
		t.Run(v.Name, func(t *testing.T) {
			u, _ := url.Parse(v.Input.URL)
			cs, err := ParseConnectionString("endpoint=" + u.Scheme + "://" + u.Host + "/;accesskey=" + v.Input.AccessKeyBase64)
			if err != nil {
				t.Fatal(err)
			}
			base := &capture{}
			tr := New(cs, WithBase(base), WithClock(clock.NewManual(vectorDate)))
			req, _ := http.NewRequest(v.Input.Method, v.Input.URL, strings.NewReader(v.Input.Body))
			if _, err := tr.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			got := base.req
			for _, h := range []string{"Authorization", "x-ms-date", "x-ms-content-sha256"} {
				if got.Header.Get(h) != v.SdkHeaders[h] {
					t.Errorf("%s = %q, want %q", h, got.Header.Get(h), v.SdkHeaders[h])
				}
			}
			if got.Host != v.SdkHeaders["Host"] {
				t.Errorf("Host = %q, want %q", got.Host, v.SdkHeaders["Host"])
			}
			if base.body != v.Input.Body || got.ContentLength != int64(len(v.Input.Body)) {
				t.Errorf("body %q (length %d) reached the base transport, want %q", base.body, got.ContentLength, v.Input.Body)
			}
			if req.Header.Get("Authorization") != "" {
				t.Error("RoundTrip modified the caller's request")
			}
		})
	}
}

func TestDownloadVector(t *testing.T) {
	v := loadFixture(t).CallAutomationDownload[0]
	cs, err := ParseConnectionString("Endpoint=" + v.Input.Endpoint + ";AccessKey=" + v.Input.AccessKeyBase64)
	if err != nil {
		t.Fatal(err)
	}
	base := &capture{}
	tr := New(cs, WithBase(base), WithClock(clock.NewManual(vectorDate)),
		WithACSHost(cs.Endpoint.Host), WithAllowedHosts(AllowHosts("US-storage.asm.skype.com")))
	req, _ := http.NewRequest(v.Method, v.WireURL, nil)
	req.Header.Set("Range", v.SdkHeaders["Range"])
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Authorization", "x-ms-date", "x-ms-content-sha256", "x-ms-host", "Range"} {
		if got := base.req.Header.Get(h); got != v.SdkHeaders[h] {
			t.Errorf("%s = %q, want %q", h, got, v.SdkHeaders[h])
		}
	}
	if base.req.URL.String() != v.WireURL || base.req.Host != "" && base.req.Host != v.SdkHeaders["Host"] {
		t.Errorf("sent to %s (Host %q)", base.req.URL, base.req.Host)
	}
}

func TestRefusesOtherHosts(t *testing.T) {
	cs, _ := ParseConnectionString("endpoint=https://contoso.example/;accesskey=AAAA")
	body := &closeRecorder{Reader: strings.NewReader("{}")}
	for name, tr := range map[string]*Transport{
		"endpoint only":   New(cs, WithBase(failBase{t})),
		"allowed hosts":   New(cs, WithBase(failBase{t}), WithAllowedHosts(AllowHosts("contoso.example"))),
		"no endpoint":     {Key: []byte("k"), Base: failBase{t}},
		"acshost default": New(cs, WithBase(failBase{t}), WithACSHost("contoso.example")),
	} {
		body.closed = false
		req, _ := http.NewRequest("POST", "https://evil.example/calling/recordings", body)
		_, err := tr.RoundTrip(req)
		if err == nil || !strings.Contains(err.Error(), `refusing to sign a request for host "evil.example"`) {
			t.Errorf("%s: err = %v", name, err)
		}
		if !body.closed {
			t.Errorf("%s: body not closed", name)
		}
	}
	// The endpoint's host is allowed with or without its default port.
	base := &capture{}
	req, _ := http.NewRequest("GET", "https://CONTOSO.example:443/x", nil)
	if _, err := New(cs, WithBase(base)).RoundTrip(req); err != nil || base.req.Host != "CONTOSO.example" {
		t.Errorf("endpoint host refused: %v", err)
	}
}

type failBase struct{ t *testing.T }

func (f failBase) RoundTrip(*http.Request) (*http.Response, error) {
	f.t.Error("a refused request reached the base transport")
	return nil, errors.New("unreachable")
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestBodyLimit(t *testing.T) {
	cs, _ := ParseConnectionString("endpoint=https://contoso.example;accesskey=AAAA")
	tr := New(cs, WithBase(failBase{t}))
	tr.maxBody = 8
	req, _ := http.NewRequest("POST", "https://contoso.example/p", strings.NewReader("123456789"))
	if _, err := tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "larger than 8 bytes") {
		t.Fatalf("err = %v", err)
	}
	req, _ = http.NewRequest("POST", "https://contoso.example/p", io.NopCloser(errReader{}))
	if _, err := tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "reading the body") {
		t.Fatalf("err = %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

// The emulator's verifier accepts what the signer sends, over real HTTP, in
// strict mode, for URLs whose encoding SDKs disagree about.
func TestAgainstVerifier(t *testing.T) {
	clk := clock.NewManual(vectorDate)
	key := []byte("0123456789abcdef0123456789abcdef")
	strict, _ := auth.NewVerifier(auth.Options{AccessKey: key, MaxClockSkew: 15 * time.Minute, Clock: clk, Strict: true})
	lenient, _ := auth.NewVerifier(auth.Options{AccessKey: key, MaxClockSkew: 15 * time.Minute, Clock: clk})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v := strict
		if r.Header.Get("Date") != "" && r.Header.Get("X-Ms-Date") == "" {
			v = lenient
		}
		res := v.Verify(r, body)
		if !res.OK {
			w.Header().Set("X-Acsemu-Explanation", res.Explanation)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Variant", res.Variant)
		if d := r.Header.Get(hmacsig.DebugHeader); d != "" && d != hmacsig.EscapeStringToSign(res.StringToSign) {
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	cs, err := ParseConnectionString("endpoint=" + srv.URL + ";accesskey=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path    string
		body    string
		opts    []Option
		variant string
	}{
		{"/calling/recordings?api-version=2025-06-15", `{"a":1}`, nil, "documented"},
		{"/p?a=b~c&s=x%20y&&flag", "", []Option{WithDebug()}, "documented"},
		{"/rec-123:pause?x=%7e", "", nil, "documented"},
		{"/a%2Fb/c", "", nil, "documented"},
		{"/recording/download/doc-1?api-version=2021-04-15-preview1", "", []Option{WithDateHeader()}, "documented+date"},
	} {
		tr := New(cs, append([]Option{WithClock(clk)}, c.opts...)...)
		req, _ := http.NewRequest("POST", srv.URL+c.path, strings.NewReader(c.body))
		resp, err := tr.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Variant") != c.variant {
			t.Errorf("%s: %s variant %q: %s", c.path, resp.Status, resp.Header.Get("X-Variant"), resp.Header.Get("X-Acsemu-Explanation"))
		}
	}
}

func TestSignAndStringToSign(t *testing.T) {
	cs, _ := ParseConnectionString("endpoint=https://contoso.communication.azure.com:8443;accesskey=" + testKeyB64)
	tr := New(cs, WithClock(clock.NewManual(vectorDate)), WithDateHeader())
	req, _ := http.NewRequest("GET", "https://contoso.communication.azure.com:8443/calling/recordings/rec-123?api-version=2025-06-15", nil)
	s, err := tr.Sign(req, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := StringToSign(req, nil, "Tue, 01 Jul 2025 12:34:56 GMT", "")
	if s.StringToSign != want || s.DateHeader != "Date" || !strings.HasPrefix(s.Authorization, "HMAC-SHA256 SignedHeaders=date;host;") {
		t.Errorf("Sign = %+v, want string-to-sign %q", s, want)
	}
	// The string-to-sign does not depend on which date header carries it.
	if s.Signature != "w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZk=" {
		t.Errorf("Signature = %s", s.Signature)
	}
	if got := StringToSign(req, nil, "D", "acs.example"); got != "GET\n/calling/recordings/rec-123\nD;acs.example;"+hmacsig.EmptyContentHash {
		t.Errorf("download StringToSign = %q", got)
	}
	if _, err := (&Transport{Endpoint: cs.Endpoint}).Sign(req, nil); err == nil {
		t.Error("Sign without a key succeeded")
	}
}
