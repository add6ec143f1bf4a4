package hmacsig

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + goodSig,
		"hmac-sha256 signedheaders=date;host;x-ms-content-sha256&signature=" + goodSig,
		"HMAC-SHA256 SignedHeaders=a;;b&Signature=" + goodSig,
		"HMAC-SHA256 SignedHeaders=a&Signature=" + goodSig + "&Signature=" + goodSig,
		"HMAC-SHA256 SignedHeaders=a&Signature=w/zCMwPUVkmzKcyFGuV+4nsiN+dMrD+rNhM9jbM3vZl=",
		"HMAC-SHA256 &&&===;;;",
		"HMAC-SHA256 SignedHeaders=\x00\xff&Signature=====",
		"Bearer x",
		"",
		"HMAC-SHA256",
		"HMAC-SHA256 Signature=" + goodSig + "&SignedHeaders= x-ms-date ; host ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := ParseAuthorization(in)
		if err != nil {
			if a.Scheme != "" || a.SignedHeaders != nil || a.Signature != "" {
				t.Fatalf("error %v with non-zero Auth %+v", err, a)
			}
			if len(err.Error()) > 256 {
				t.Fatalf("error is %d bytes: %q", len(err.Error()), err)
			}
			return
		}
		if !strings.EqualFold(a.Scheme, Scheme) {
			t.Fatalf("accepted scheme %q", a.Scheme)
		}
		if len(a.SignedHeaders) == 0 || len(a.SignedHeaders) > maxSignedHeaders {
			t.Fatalf("accepted %d signed headers", len(a.SignedHeaders))
		}
		for _, h := range a.SignedHeaders {
			if h == "" || h != strings.ToLower(h) || !isToken(h) {
				t.Fatalf("accepted header name %q", h)
			}
		}
		raw, err := base64.StdEncoding.DecodeString(a.Signature)
		if err != nil || len(raw) != SignatureSize || base64.StdEncoding.EncodeToString(raw) != a.Signature {
			t.Fatalf("accepted signature %q", a.Signature)
		}
		// What was accepted must survive a format-and-parse round trip.
		b, err := ParseAuthorization(Authorization(a.SignedHeaders, a.Signature))
		if err != nil {
			t.Fatalf("round trip of %+v: %v", a, err)
		}
		if !slices.Equal(a.SignedHeaders, b.SignedHeaders) || a.Signature != b.Signature {
			t.Fatalf("round trip changed %+v into %+v", a, b)
		}
	})
}

func FuzzJSPathAndQuery(f *testing.F) {
	for _, c := range [][2]string{
		{"/a/b", "z=1&a=2"},
		{"/p", "a=b~c&sig=opaque%20token"},
		{"/p", "&&a&=&==&"},
		{"/p", "%zz=%4&%"},
		{"/p", "a=%E2%82A&b=%ED%A0%80&c=%F4%90%80%80"},
		{"/p", "a=\xff\xfe\xe2\x82"},
		{"/p", "a=+%2B+"},
		{"", ""},
		{"/p", "k=*-._!'()"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		got := JSPathAndQuery(path, query)
		if !strings.HasPrefix(got, path) {
			t.Fatalf("result %q does not start with the path %q", got, path)
		}
		rest := got[len(path):]
		if rest == "" {
			return
		}
		q, ok := strings.CutPrefix(rest, "?")
		if !ok || q == "" {
			t.Fatalf("result %q: path is followed by %q, want ?query", got, rest)
		}
		for i := 0; i < len(q); i++ {
			c := q[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("*-._%+=&", c) >= 0) {
				t.Fatalf("serialised query %q holds byte %q", q, c)
			}
		}
		// URLSearchParams' output is a fixed point of its own round trip.
		if again := JSPathAndQuery(path, q); again != got {
			t.Fatalf("not idempotent: %q then %q", got, again)
		}
	})
}
