package auth

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/internal/hmacsig"
)

var (
	testKey  = []byte("0123456789abcdef0123456789abcdef")
	testDate = time.Date(2025, 7, 1, 12, 34, 56, 0, time.UTC)
)

const testDateStr = "Tue, 01 Jul 2025 12:34:56 GMT"

// signed builds a request signed the way some client would: it signs the given
// host and path-and-query and names dateHeader in SignedHeaders.
func signed(method, url, host, body, dateHeader, signHost, signPQ string) *http.Request {
	r := httptest.NewRequest(method, url, strings.NewReader(body))
	if host != "" {
		r.Host = host
	}
	hash := hmacsig.ContentHash([]byte(body))
	r.Header.Set(dateHeader, testDateStr)
	r.Header.Set("x-ms-content-sha256", hash)
	sts := hmacsig.StringToSign(method, signPQ, testDateStr, signHost, hash)
	r.Header.Set("Authorization", hmacsig.Authorization(
		[]string{strings.ToLower(dateHeader), "host", "x-ms-content-sha256"}, hmacsig.Sign(testKey, sts)))
	return r
}

func TestVariants(t *testing.T) {
	cases := []struct {
		name    string
		r       *http.Request
		variant string // "" means it must fail, strict or not
		strict  bool   // also passes in strict mode
	}{
		{"documented", signed("GET", "http://127.0.0.1:10000/calling/recordings/r1?api-version=2025-06-15", "", "", "x-ms-date",
			"127.0.0.1:10000", "/calling/recordings/r1?api-version=2025-06-15"), VariantDocumented, true},
		{"js query re-encoding", signed("GET", "http://localhost:10000/p?a=b~c&s=x%20y", "", "", "x-ms-date",
			"localhost:10000", "/p?a=b%7Ec&s=x+y"), VariantJS, false},
		{"js default port dropped", signed("GET", "http://localhost:80/p", "localhost:80", "", "x-ms-date",
			"localhost", "/p"), VariantJS, false},
		{"js default https port dropped", signed("GET", "https://contoso.example:443/p", "contoso.example:443", "", "x-ms-date",
			"contoso.example", "/p"), VariantJS, false},
		{"dotnet-java no port", signed("POST", "http://localhost:10000/calling/recordings?api-version=x", "", "{}", "x-ms-date",
			"localhost", "/calling/recordings?api-version=x"), VariantDotnetJava, false},
		{"dotnet-java ipv6", signed("GET", "http://[::1]:10000/p?q=~", "", "", "x-ms-date",
			"[::1]", "/p?q=~"), VariantDotnetJava, false},
		{"legacy date (the seed's C# sample)", signed("GET", "https://contoso.communication.azure.com/recording/download/doc-1?api-version=2021-04-15-preview1",
			"contoso.communication.azure.com", "", "Date",
			"contoso.communication.azure.com", "/recording/download/doc-1?api-version=2021-04-15-preview1"), VariantDocumented + LegacyDateSuffix, false},
		{"legacy date with the js variant", signed("GET", "http://localhost:10000/p?a=~", "", "", "Date",
			"localhost:10000", "/p?a=%7E"), VariantJS + LegacyDateSuffix, false},
		{"x-ms-host without its port", func() *http.Request {
			r := signed("GET", "http://127.0.0.1:10000/v1/objects/d1/content/audio?sig=1", "", "", "x-ms-date",
				"contoso.communication.azure.com", "/v1/objects/d1/content/audio")
			r.Header.Set("x-ms-host", "contoso.communication.azure.com:8443")
			return r
		}(), VariantXMSHost, false},
		{"x-ms-host ignored when absent", signed("GET", "http://127.0.0.1:10000/v1/objects/d1?sig=1", "", "", "x-ms-date",
			"127.0.0.1:10000", "/v1/objects/d1"), "", false},
		{"wrong host", signed("GET", "http://127.0.0.1:10000/p", "", "", "x-ms-date", "elsewhere:10000", "/p"), "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := verifierFor(t, testKey, false).Verify(c.r, readBody(t, c.r))
			if c.variant == "" {
				if res.OK || res.Failure != FailSignature {
					t.Fatalf("Verify = %+v, want a signature failure", res)
				}
			} else if !res.OK || res.Variant != c.variant {
				t.Fatalf("Verify = %+v, want variant %s", res, c.variant)
			}
			strict := verifierFor(t, testKey, true).Verify(c.r, readBody(t, c.r))
			if strict.OK != c.strict {
				t.Fatalf("strict Verify = %+v, want OK=%v", strict, c.strict)
			}
		})
	}
}

// readBody reads r's body and puts it back, so r can be verified twice.
func readBody(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

func TestSeedDateVariantStrict(t *testing.T) {
	r := signed("GET", "https://contoso.communication.azure.com/recording/download/doc-1?api-version=2021-04-15-preview1",
		"contoso.communication.azure.com", "", "Date", "contoso.communication.azure.com", "/recording/download/doc-1?api-version=2021-04-15-preview1")
	res := verifierFor(t, testKey, true).Verify(r, nil)
	if res.OK || res.Failure != FailSignedHeaders || !strings.Contains(res.Explanation, "strict mode accepts only x-ms-date") {
		t.Fatalf("strict Verify = %+v", res)
	}
}

// Java sends both x-ms-date and Date; the one SignedHeaders names counts.
func TestBothDateHeaders(t *testing.T) {
	r := signed("GET", "http://localhost:10000/p", "", "", "x-ms-date", "localhost:10000", "/p")
	r.Header.Set("Date", "Wed, 02 Jul 2025 00:00:00 GMT")
	if res := verifierFor(t, testKey, true).Verify(r, nil); !res.OK {
		t.Fatalf("x-ms-date named: %+v", res)
	}
	r = signed("GET", "http://localhost:10000/p", "", "", "Date", "localhost:10000", "/p")
	r.Header.Set("x-ms-date", "Wed, 02 Jul 2025 00:00:00 GMT")
	if res := verifierFor(t, testKey, false).Verify(r, nil); !res.OK || res.Variant != "documented+date" {
		t.Fatalf("date named: %+v", res)
	}
}

func TestClockSkew(t *testing.T) {
	for _, c := range []struct {
		offset time.Duration // clock minus request date
		years  int           // added to the clock, for distances no Duration holds
		want   string        // "" means OK
	}{
		{0, 0, ""},
		{15 * time.Minute, 0, ""},
		{-15 * time.Minute, 0, ""},
		{16*time.Minute + 3*time.Second, 0, "request date is 16m3s behind the emulator clock, more than the allowed 15m0s"},
		{-(15*time.Minute + 500*time.Millisecond), 0, "request date is 15m0.5s ahead of the emulator clock, more than the allowed 15m0s"},
		// Beyond ~292 years clock.Sub(date) saturates; a date that far ahead
		// used to pass the check.
		{0, -300, "request date is more than 292 years ahead of the emulator clock, more than the allowed 15m0s"},
		{0, 300, "request date is more than 292 years behind the emulator clock, more than the allowed 15m0s"},
	} {
		clk := clock.NewManual(testDate.AddDate(c.years, 0, 0).Add(c.offset))
		v, err := NewVerifier(Options{AccessKey: testKey, MaxClockSkew: 15 * time.Minute, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		res := v.Verify(signed("GET", "http://localhost:10000/p", "", "", "x-ms-date", "localhost:10000", "/p"), nil)
		if c.want == "" {
			if !res.OK {
				t.Errorf("offset %v: %+v", c.offset, res)
			}
			continue
		}
		if res.OK || res.Failure != FailClockSkew || res.Explanation != c.want || res.Err().Code != "7509" {
			t.Errorf("offset %v: %+v, want explanation %q", c.offset, res, c.want)
		}
	}
}

func TestMalformedRequests(t *testing.T) {
	good := func() *http.Request {
		return signed("GET", "http://localhost:10000/p", "", "", "x-ms-date", "localhost:10000", "/p")
	}
	cases := []struct {
		name        string
		edit        func(r *http.Request)
		failure     string
		explanation string
	}{
		{"no Authorization", func(r *http.Request) { r.Header.Del("Authorization") }, FailMissingAuthorization, "no Authorization header"},
		{"empty Authorization", func(r *http.Request) { r.Header.Set("Authorization", "") }, FailMissingAuthorization, "no Authorization header"},
		{"10 KB of junk", func(r *http.Request) { r.Header.Set("Authorization", strings.Repeat("\x01junk", 2048)) }, FailMalformedAuthorization, "10240 bytes"},
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer eyJ") }, FailMalformedAuthorization, `scheme is "Bearer"`},
		{"no Signature", func(r *http.Request) {
			r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256")
		}, FailMalformedAuthorization, "no Signature"},
		{"non-base64 Signature", func(r *http.Request) {
			r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=%%%not-base64%%%")
		}, FailMalformedAuthorization, "not valid base64"},
		{"duplicate keys", func(r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+"&Signature=AAAA")
		}, FailMalformedAuthorization, "Signature twice"},
		{"two Authorization headers", func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			FailMalformedAuthorization, "2 Authorization headers"},
		{"SignedHeaders order", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-ms-date;host", "host;x-ms-date", 1))
		}, FailSignedHeaders, `SignedHeaders is "host;x-ms-date;x-ms-content-sha256"`},
		{"SignedHeaders extra", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "sha256&", "sha256;range&", 1))
		}, FailSignedHeaders, "want exactly x-ms-date;host;x-ms-content-sha256"},
		{"missing date", func(r *http.Request) { r.Header.Del("x-ms-date") }, FailMissingDate, "no x-ms-date header"},
		{"date instead of x-ms-date", func(r *http.Request) { r.Header.Set("Date", r.Header.Get("x-ms-date")); r.Header.Del("x-ms-date") },
			FailMissingDate, "(it has date;"},
		{"bad date", func(r *http.Request) { r.Header.Set("x-ms-date", "2025-07-01T12:34:56Z") }, FailBadDate, "not an RFC 1123 date"},
		{"missing content hash", func(r *http.Request) { r.Header.Del("x-ms-content-sha256") }, FailContentHash, "no x-ms-content-sha256 header"},
	}
	v := verifierFor(t, testKey, false)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good()
			c.edit(r)
			res := v.Verify(r, nil)
			if res.OK || res.Failure != c.failure || !strings.Contains(res.Explanation, c.explanation) {
				t.Fatalf("Verify = %+v, want %s mentioning %q", res, c.failure, c.explanation)
			}
			if e := res.Err(); e == nil || e.Status != http.StatusUnauthorized || e.Explanation != res.Explanation {
				t.Fatalf("Err() = %+v", e)
			}
			if len(res.Explanation) > 2048 {
				t.Errorf("explanation is %d bytes", len(res.Explanation))
			}
		})
	}
}

func TestContentHashMismatchError(t *testing.T) {
	r := signed("POST", "http://localhost:10000/p", "", "{}", "x-ms-date", "localhost:10000", "/p")
	res := verifierFor(t, testKey, false).Verify(r, []byte("{ }"))
	e := res.Err()
	if res.Failure != FailContentHash || e.Code != "Denied" ||
		e.Message != "Request 'x-ms-content-sha256' differs from generated content hash." ||
		!strings.Contains(res.Explanation, "3-byte body received hashes to "+hmacsig.ContentHash([]byte("{ }"))) {
		t.Fatalf("Verify = %+v, Err = %+v", res, e)
	}
}

func TestExplanationWithoutDebugHeader(t *testing.T) {
	r := signed("GET", "http://localhost:10000/p?a=1", "", "", "x-ms-date", "elsewhere", "/p?a=1")
	res := verifierFor(t, testKey, false).Verify(r, nil)
	want := `signature matches no accepted variant (tried documented, js, dotnet-java); the emulator expected the documented string-to-sign "GET\n/p?a=1\n` +
		testDateStr + `;localhost:10000;` + hmacsig.EmptyContentHash + `"`
	if !strings.HasPrefix(res.Explanation, want) || !strings.Contains(res.Explanation, DebugHeader) {
		t.Fatalf("explanation = %s\nwant prefix %s", res.Explanation, want)
	}
	if res.StringToSign != "GET\n/p?a=1\n"+testDateStr+";localhost:10000;"+hmacsig.EmptyContentHash {
		t.Errorf("StringToSign = %q", res.StringToSign)
	}
	strict := verifierFor(t, testKey, true).Verify(r, nil)
	if !strings.Contains(strict.Explanation, "strict mode tries no other variant") {
		t.Errorf("strict explanation = %s", strict.Explanation)
	}
}

func TestDebugHeaderProblems(t *testing.T) {
	r := signed("GET", "http://localhost:10000/p", "", "", "x-ms-date", "elsewhere", "/p")
	v := verifierFor(t, testKey, false)
	r.Header.Set(DebugHeader, strings.Repeat("x", maxDebug+1))
	if res := v.Verify(r, nil); !strings.Contains(res.Explanation, "so it was ignored") {
		t.Errorf("oversized debug header: %s", res.Explanation)
	}
	r.Header.Set(DebugHeader, "GET /p")
	if res := v.Verify(r, nil); !strings.Contains(res.Explanation, "could not be read") {
		t.Errorf("unreadable debug header: %s", res.Explanation)
	}
	// A client that signed other bytes with another key: both are said.
	r.Header.Set(DebugHeader, `GET\n/q\n`+testDateStr+`;elsewhere;`+hmacsig.EmptyContentHash)
	res := v.Verify(r, nil)
	for _, s := range []string{`path (client signed "/q", emulator expected "/p")`, `host (client signed "elsewhere", emulator expected "localhost:10000")`, "access key differs too"} {
		if !strings.Contains(res.Explanation, s) {
			t.Errorf("explanation lacks %q: %s", s, res.Explanation)
		}
	}
}

func TestNewVerifier(t *testing.T) {
	if _, err := NewVerifier(Options{}); err == nil {
		t.Error("NewVerifier accepted an empty key")
	}
	if _, err := NewVerifier(Options{AccessKey: testKey, MaxClockSkew: -1}); err == nil {
		t.Error("NewVerifier accepted a negative skew")
	}
	// The verifier keeps its own copy of the key.
	k := append([]byte(nil), testKey...)
	v, _ := NewVerifier(Options{AccessKey: k})
	k[0] ^= 1
	r := signed("GET", "http://localhost:10000/p", "", "", "x-ms-date", "localhost:10000", "/p")
	if res := v.Verify(r, nil); !res.OK {
		t.Errorf("key changed under the verifier: %+v", res)
	}
}

func TestHostHelpers(t *testing.T) {
	for in, want := range map[string][2]string{
		"a:1": {"a", "1"}, "a": {"a", ""}, "[::1]:8": {"[::1]", "8"}, "[::1]": {"[::1]", ""},
		"[::1": {"[::1", ""}, "::1": {"::1", ""}, "": {"", ""}, "a:": {"a", ""}, "[x]y": {"[x]y", ""},
	} {
		if h, p := splitHostPort(in); h != want[0] || p != want[1] {
			t.Errorf("splitHostPort(%q) = %q, %q", in, h, p)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	v := verifierFor(b, testKey, false)
	r := signed("GET", "https://contoso.communication.azure.com:8443/calling/recordings/rec-123?api-version=2025-06-15",
		"", "", "x-ms-date", "contoso.communication.azure.com:8443", "/calling/recordings/rec-123?api-version=2025-06-15")
	if res := v.Verify(r, nil); !res.OK || res.Variant != VariantDocumented {
		b.Fatalf("%+v", res)
	}
	b.ReportAllocs()
	for b.Loop() {
		v.Verify(r, nil)
	}
}

func BenchmarkVerifyFailure(b *testing.B) {
	v := verifierFor(b, testKey, false)
	r := signed("GET", "https://contoso.communication.azure.com:8443/calling/recordings/rec-123?api-version=2025-06-15",
		"", "", "x-ms-date", "elsewhere", "/calling/recordings/rec-123?api-version=2025-06-15")
	b.ReportAllocs()
	for b.Loop() {
		v.Verify(r, nil)
	}
}
