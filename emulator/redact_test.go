package emulator

import (
	"strings"
	"testing"
)

func TestRedactAuthorization(t *testing.T) {
	for in, want := range map[string]string{
		"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=c2lnbmF0dXJl": "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + fingerprint("c2lnbmF0dXJl"),
		"Bearer eyJhbGciOi.x.y": "Bearer " + fingerprint("eyJhbGciOi.x.y"),
		"opaque":                fingerprint("opaque"),
	} {
		if got := redactAuthorization(in); got != want {
			t.Errorf("redactAuthorization(%q) = %q, want %q", in, got, want)
		}
	}
	a, b := redactAuthorization("HMAC-SHA256 SignedHeaders=h&Signature=one"), redactAuthorization("HMAC-SHA256 SignedHeaders=h&Signature=two")
	if a == b || a != redactAuthorization("HMAC-SHA256 SignedHeaders=h&Signature=one") {
		t.Errorf("fingerprints must tell signatures apart and match equal ones: %q %q", a, b)
	}
}

// Whatever the header, the redacted form keeps nothing a client sent but the
// scheme and SignedHeaders: every other part is a fingerprint, so no
// signature or token survives to be replayed.
func FuzzRedactAuthorization(f *testing.F) {
	f.Add("HMAC-SHA256 SignedHeaders=a;b&Signature=0123456789abcdefXYZ")
	f.Add("Bearer 0123456789abcdefghij")
	f.Add("HMAC-SHA256 Signature=0123456789abcdefXYZ&Signature=fedcba9876543210")
	f.Fuzz(func(t *testing.T, v string) {
		got := redactAuthorization(v)
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok {
			if got != fingerprint(v) {
				t.Fatalf("%q without a scheme: %q, want one fingerprint", v, got)
			}
			return
		}
		shown, ok := strings.CutPrefix(got, scheme+" ")
		if !ok {
			t.Fatalf("%q: %q lost its scheme", v, got)
		}
		if !strings.EqualFold(scheme, "HMAC-SHA256") {
			if shown != fingerprint(rest) {
				t.Fatalf("%q kept the credentials: %q", v, got)
			}
			return
		}
		for _, part := range strings.Split(shown, "&") {
			k, val, _ := strings.Cut(part, "=")
			switch {
			case strings.HasPrefix(part, "fp:"):
			case strings.EqualFold(strings.TrimSpace(k), "SignedHeaders"):
			case strings.EqualFold(strings.TrimSpace(k), "Signature") && strings.HasPrefix(val, "fp:"):
			default:
				t.Fatalf("%q: part %q of %q is neither SignedHeaders nor a fingerprint", v, part, got)
			}
		}
	})
}
