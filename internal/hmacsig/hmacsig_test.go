package hmacsig

import (
	"strconv"
	"strings"
	"testing"
)

// testKey is the fixtures' key: bytes 0x00..0x1f.
const testKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// The strings-to-sign and signatures of fixtures/hmac-vectors.json, made by
// the official JavaScript SDK.
var vectorTable = []struct {
	name, method, pq, date, host, hash, sts, sig string
}{
	{"get-nondefault-port", "GET", "/calling/recordings/rec-123?api-version=2025-06-15", "Tue, 01 Jul 2025 12:34:56 GMT", "contoso.communication.azure.com:8443", EmptyContentHash,
		"GET\n/calling/recordings/rec-123?api-version=2025-06-15\nTue, 01 Jul 2025 12:34:56 GMT;contoso.communication.azure.com:8443;47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZk="},
	{"post-json-body", "POST", "/calling/recordings?api-version=2025-06-15", "Tue, 01 Jul 2025 12:34:56 GMT", "contoso.communication.azure.com:8443", "2tIHWhc1z1vbss8lG763hxf/Sfbal6tz3uNfKZwhW40=",
		"POST\n/calling/recordings?api-version=2025-06-15\nTue, 01 Jul 2025 12:34:56 GMT;contoso.communication.azure.com:8443;2tIHWhc1z1vbss8lG763hxf/Sfbal6tz3uNfKZwhW40=",
		"QBq3pR0luWpzO2ZlHriD8vPSLGukJfnn2CH7vOLgdcQ="},
	{"post-pause-colon-path", "POST", "/calling/recordings/rec-123:pause?api-version=2025-06-15", "Tue, 01 Jul 2025 12:34:56 GMT", "contoso.communication.azure.com:9443", EmptyContentHash,
		"POST\n/calling/recordings/rec-123:pause?api-version=2025-06-15\nTue, 01 Jul 2025 12:34:56 GMT;contoso.communication.azure.com:9443;47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"C1kJobjcR+TEb0nCtfgTrfIZwVIVCwA5G7ViVzeNVpw="},
	{"default-port-utf8-body", "PUT", "/a/b?z=1&a=2", "Tue, 01 Jul 2025 12:34:56 GMT", "contoso.communication.azure.com", "yfqUOkmKWVDK+Pj15Kwmiv1BKvAOmeMRi4TrRCdDvzo=",
		"PUT\n/a/b?z=1&a=2\nTue, 01 Jul 2025 12:34:56 GMT;contoso.communication.azure.com;yfqUOkmKWVDK+Pj15Kwmiv1BKvAOmeMRi4TrRCdDvzo=",
		"+6DGNyPEDsHfl+7Q/lipwRyLFve1VUpkDYbS5pCAvLU="},
	{"call-automation-download", "GET", "/v1/objects/0-eus-d1-abc123/content/audio", "Tue, 01 Jul 2025 12:34:56 GMT", "contoso.communication.azure.com:8443", EmptyContentHash,
		"GET\n/v1/objects/0-eus-d1-abc123/content/audio\nTue, 01 Jul 2025 12:34:56 GMT;contoso.communication.azure.com:8443;47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"ep9G9BcTrPsAtx0iccN83JjIME8tiiB+VIa9wimfJeI="},
}

func TestVectors(t *testing.T) {
	key, err := DecodeKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vectorTable {
		t.Run(v.name, func(t *testing.T) {
			sts := StringToSign(v.method, v.pq, v.date, v.host, v.hash)
			if sts != v.sts {
				t.Fatalf("StringToSign = %q, want %q", sts, v.sts)
			}
			if got := Sign(key, sts); got != v.sig {
				t.Errorf("Sign = %s, want %s", got, v.sig)
			}
			parts, err := SplitStringToSign(sts)
			if err != nil {
				t.Fatal(err)
			}
			want := Parts{v.method, v.pq, v.date, v.host, v.hash}
			if parts != want {
				t.Errorf("SplitStringToSign = %+v, want %+v", parts, want)
			}
			if parts.String() != sts {
				t.Errorf("Parts.String() does not round-trip")
			}
			if got := UnescapeStringToSign(EscapeStringToSign(sts)); got != sts {
				t.Errorf("escape round trip = %q", got)
			}
			if strings.Contains(EscapeStringToSign(sts), "\n") {
				t.Errorf("escaped string-to-sign holds a newline")
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	for body, want := range map[string]string{
		"":                 EmptyContentHash,
		`{"name":"Zoë ✓"}`: "yfqUOkmKWVDK+Pj15Kwmiv1BKvAOmeMRi4TrRCdDvzo=",
		`{"callLocator":{"serverCallId":"aHR0cHM6Ly9jb252LXVzd2UtMDEuY29udi5za3lwZS5jb20vY29udi9YWVo","kind":"serverCallLocator"},"recordingContentType":"audio","recordingChannelType":"mixed","recordingFormatType":"wav"}`: "2tIHWhc1z1vbss8lG763hxf/Sfbal6tz3uNfKZwhW40=",
	} {
		if got := ContentHash([]byte(body)); got != want {
			t.Errorf("ContentHash(%q) = %s, want %s", body, got, want)
		}
	}
}

func TestAuthorization(t *testing.T) {
	got := Authorization([]string{"x-ms-date", "host", "x-ms-content-sha256"}, "w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZk=")
	want := "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZk="
	if got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
}

const goodSig = "w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZk="

func TestParseAuthorization(t *testing.T) {
	ok := []struct {
		in      string
		headers []string
	}{
		{"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + goodSig, []string{"x-ms-date", "host", "x-ms-content-sha256"}},
		{"hmac-sha256 signedheaders=Date;HOST;X-MS-Content-SHA256&signature=" + goodSig, []string{"date", "host", "x-ms-content-sha256"}},
		{"  HMAC-SHA256   Signature=" + goodSig + "&SignedHeaders= x-ms-date ; host  ", []string{"x-ms-date", "host"}},
	}
	for _, c := range ok {
		a, err := ParseAuthorization(c.in)
		if err != nil {
			t.Errorf("ParseAuthorization(%q): %v", c.in, err)
			continue
		}
		if strings.Join(a.SignedHeaders, ",") != strings.Join(c.headers, ",") || a.Signature != goodSig {
			t.Errorf("ParseAuthorization(%q) = %+v", c.in, a)
		}
	}
	bad := []struct{ in, wantErr string }{
		{"", "empty"},
		{"   ", "empty"},
		{strings.Repeat("x", 10240), "more than the 1024 allowed"},
		{"Bearer eyJ0eXAi", `scheme is "Bearer"`},
		{"HMAC-SHA256", "no parameters"},
		{"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256", "no Signature"},
		{"HMAC-SHA256 Signature=" + goodSig, "no SignedHeaders"},
		{"HMAC-SHA256 SignedHeaders=a&SignedHeaders=b&Signature=" + goodSig, "SignedHeaders twice"},
		{"HMAC-SHA256 SignedHeaders=a&Signature=" + goodSig + "&Signature=" + goodSig, "Signature twice"},
		{"HMAC-SHA256 SignedHeaders=a&Signature=" + goodSig + "&Foo=bar", `unknown parameter "Foo"`},
		{"HMAC-SHA256 SignedHeaders=a&Signature", "has no '='"},
		{"HMAC-SHA256 SignedHeaders=&Signature=" + goodSig, "SignedHeaders is empty"},
		{"HMAC-SHA256 SignedHeaders=a;;b&Signature=" + goodSig, "empty header name"},
		{"HMAC-SHA256 SignedHeaders=a;&Signature=" + goodSig, "empty header name"},
		{"HMAC-SHA256 SignedHeaders=a b&Signature=" + goodSig, "invalid header name"},
		{"HMAC-SHA256 SignedHeaders=" + strings.Repeat("a;", 20) + "a&Signature=" + goodSig, "21 headers"},
		{"HMAC-SHA256 SignedHeaders=a&Signature=", "Signature is empty"},
		{"HMAC-SHA256 SignedHeaders=a&Signature=not*base64!", "not valid base64"},
		{"HMAC-SHA256 SignedHeaders=a&Signature=AAAA", "decodes to 3 bytes"},
		{"HMAC-SHA256 SignedHeaders=a&Signature=" + strings.Repeat("A", 200), "200 characters"},
		// Flipping padding bits of the last character must not decode to the same bytes.
		{"HMAC-SHA256 SignedHeaders=a&Signature=w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZl=", "not valid base64"},
		// encoding/base64 skips line breaks; a signature must not (a fuzz finding).
		{"HMAC-SHA256 Signature=" + strings.Repeat("0", 43) + "\r=&SignedHeaders=a", "line break at character 43"},
		{"HMAC-SHA256 SignedHeaders=a&Signature=" + goodSig[:20] + "\n" + goodSig[20:], "line break at character 20"},
		// Non-printable bytes are quoted as \xff, four bytes each: the error is
		// bounded by its escaped length, not the raw one (a fuzz finding).
		{"HMAC-SHA256 SignedHeaders=a&Signature=" + strings.Repeat("\xff", 44), `Signature "\xff\xff`},
		{"HMAC-SHA256 SignedHeaders=a&" + strings.Repeat("\x01", 40) + "=b&Signature=" + goodSig, `unknown parameter "\x01`},
		{strings.Repeat("\u00ad", 40) + " SignedHeaders=a&Signature=" + goodSig, `scheme is "\u00ad`},
	}
	for _, c := range bad {
		_, err := ParseAuthorization(c.in)
		if err == nil {
			t.Errorf("ParseAuthorization(%s) succeeded, want error containing %q", hmacClip(c.in), c.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("ParseAuthorization(%s) error %q, want it to contain %q", hmacClip(c.in), err, c.wantErr)
		}
		if len(err.Error()) > 200 {
			t.Errorf("error for %s is %d bytes long", hmacClip(c.in), len(err.Error()))
		}
	}
}

func hmacClip(s string) string { return Quote(s, 80) }

func TestDecodeKey(t *testing.T) {
	k, err := DecodeKey(" " + testKey + "\n")
	if err != nil || len(k) != 32 || k[31] != 0x1f {
		t.Fatalf("DecodeKey = %x, %v", k, err)
	}
	for in, want := range map[string]string{
		"":        "empty",
		"  ":      "empty",
		"not-b64": "not valid base64",
		"AAE":     "not valid base64",
		"====":    "not valid base64",
	} {
		_, err := DecodeKey(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DecodeKey(%q) error %v, want %q", in, err, want)
		}
	}
	_, err = DecodeKey("c2VjcmV0!")
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("DecodeKey error must not quote the key: %v", err)
	}
}

func TestJSPathAndQuery(t *testing.T) {
	for _, c := range []struct{ path, query, want string }{
		{"/a/b", "", "/a/b"},
		{"/a/b", "&&", "/a/b"},
		{"/a/b", "z=1&a=2", "/a/b?z=1&a=2"},
		{"/calling/recordings", "api-version=2025-06-15", "/calling/recordings?api-version=2025-06-15"},
		{"/p", "a=b~c", "/p?a=b%7Ec"},
		{"/p", "a=b%7ec", "/p?a=b%7Ec"},
		{"/p", "sig=opaque%20token", "/p?sig=opaque+token"},
		{"/p", "a=b+c", "/p?a=b+c"},
		{"/p", "a=%2B", "/p?a=%2B"},
		{"/p", "a", "/p?a="},
		{"/p", "=", "/p?="},
		{"/p", "&&a=1&&b&", "/p?a=1&b="},
		{"/p", "a=1=2", "/p?a=1%3D2"},
		{"/p", "%zz=1&b=%4", "/p?%25zz=1&b=%254"},
		{"/p", "q=a/b:c@d", "/p?q=a%2Fb%3Ac%40d"},
		{"/p", "k=*-._!'()", "/p?k=*-._%21%27%28%29"},
		{"/p", "a=%E2%9C%93", "/p?a=%E2%9C%93"},
		{"/p", "a=✓", "/p?a=%E2%9C%93"},
		{"/p", "a=%FF", "/p?a=%EF%BF%BD"},
		// One U+FFFD per maximal invalid subpart, as the Encoding Standard says.
		{"/p", "a=%E2%82", "/p?a=%EF%BF%BD"},
		{"/p", "a=%E2%82A", "/p?a=%EF%BF%BDA"},
		{"/p", "a=%ED%A0%80", "/p?a=%EF%BF%BD%EF%BF%BD%EF%BF%BD"},
		{"/p", "a=%F0%9F%98%80", "/p?a=%F0%9F%98%80"},
		{"/p", "a=%C0%80", "/p?a=%EF%BF%BD%EF%BF%BD"},
		{"/p", "b=2&a=1&b=3", "/p?b=2&a=1&b=3"},
	} {
		if got := JSPathAndQuery(c.path, c.query); got != c.want {
			t.Errorf("JSPathAndQuery(%q, %q) = %q, want %q", c.path, c.query, got, c.want)
		}
	}
}

func TestSplitStringToSignErrors(t *testing.T) {
	for _, s := range []string{"", "GET", "GET\n/p", "GET\n/p\ndate-host-hash", "GET\n/p\nd;h", "GET\n/p\nd;h;x\nextra"} {
		if _, err := SplitStringToSign(s); err == nil {
			t.Errorf("SplitStringToSign(%q) succeeded", s)
		}
	}
	p, err := SplitStringToSign("GET\n/p\nd;h;o;st;x")
	if err != nil || p.Date != "d" || p.Host != "h;o;st" || p.ContentHash != "x" {
		t.Errorf("SplitStringToSign with ';' in the host = %+v, %v", p, err)
	}
}

func TestEscapeStringToSign(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb":        `a\nb`,
		`a\nb`:        `a\\nb`,
		"a\r\x01\x7f": `a\r\x01\x7F`,
		"✓":           "✓",
	} {
		if got := EscapeStringToSign(in); got != want {
			t.Errorf("EscapeStringToSign(%q) = %q, want %q", in, got, want)
		}
		if got := UnescapeStringToSign(want); got != in {
			t.Errorf("UnescapeStringToSign(%q) = %q, want %q", want, got, in)
		}
	}
	// Lenient on malformed escapes.
	for in, want := range map[string]string{`\`: `\`, `a\q`: `a\q`, `\x4`: `\x4`, `\x41`: "A"} {
		if got := UnescapeStringToSign(in); got != want {
			t.Errorf("UnescapeStringToSign(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 10, `"abc"`},
		{"abcdefghij", 10, `"abcde..."`},
		{"abcdefgh", 0, `"abc..."`},               // n is raised to 8
		{"\x00\x01\x02\x03", 12, `"\x00..."`},     // escapes count at their escaped size
		{"\xff\xff\xff", 14, `"\xff\xff\xff"`},    // fits exactly: not clipped
		{"\u2028\u2028\u2028", 16, `"\u2028..."`}, // six bytes per rune
		{"é\xffé", 20, `"é\xffé"`},                // valid UTF-8 stays as is
		{"abééé", 8, `"ab..."`},                   // never splits a rune
		{strings.Repeat("\xff", 1000), 256, ""},   // length checked below
	}
	for _, c := range cases {
		got := Quote(c.in, c.n)
		if len(got) > max(c.n, 8) {
			t.Errorf("Quote(%q, %d) = %d bytes: %s", c.in, c.n, len(got), got)
		}
		if _, err := strconv.Unquote(got); err != nil {
			t.Errorf("Quote(%q, %d) = %s, not a Go string literal: %v", c.in, c.n, got, err)
		}
		if c.want != "" && got != c.want {
			t.Errorf("Quote(%q, %d) = %s, want %s", c.in, c.n, got, c.want)
		}
	}
}
