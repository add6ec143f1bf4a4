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

// Whatever the header, the redacted form never carries a signature or
// token of 16 characters or more verbatim.
func FuzzRedactAuthorization(f *testing.F) {
	f.Add("HMAC-SHA256 SignedHeaders=a;b&Signature=0123456789abcdefXYZ")
	f.Add("Bearer 0123456789abcdefghij")
	f.Add("HMAC-SHA256 Signature=0123456789abcdefXYZ&Signature=fedcba9876543210")
	f.Fuzz(func(t *testing.T, v string) {
		got := redactAuthorization(v)
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok {
			scheme, rest = "", v
		}
		// The scheme stays by design (it names how the client signed); a
		// secret is only what follows it, so look for one only there.
		shown := strings.TrimPrefix(got, scheme+" ")
		for _, part := range strings.Split(rest, "&") {
			k, secret, ok := strings.Cut(part, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "Signature") {
				continue
			}
			if len(secret) >= 16 && strings.Contains(shown, secret) {
				t.Fatalf("%q kept the signature %q: %q", v, secret, got)
			}
		}
		if scheme, cred, ok := strings.Cut(v, " "); ok && !strings.EqualFold(scheme, "HMAC-SHA256") && len(cred) >= 16 &&
			strings.Contains(strings.TrimPrefix(got, scheme+" "), cred) {
			t.Fatalf("%q kept the credentials: %q", v, got)
		}
	})
}
