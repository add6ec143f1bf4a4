package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// fingerprint is a short, stable stand-in for a secret: enough to tell two
// requests' signatures apart or equal, useless to replay.
func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "fp:" + hex.EncodeToString(sum[:6])
}

// redactAuthorization replaces the secret part of an Authorization value by
// its fingerprint: the Signature of an HMAC-SHA256 header, the credentials of
// any other scheme. The scheme and SignedHeaders stay, so a journal reader can
// still see how the client signed.
func redactAuthorization(v string) string {
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		return fingerprint(v)
	}
	if strings.EqualFold(scheme, "HMAC-SHA256") {
		// Only SignedHeaders stays as sent; the Signature and anything else
		// a client put there (which no one can vouch is not a secret) become
		// fingerprints.
		parts := strings.Split(rest, "&")
		for i, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			switch {
			case ok && strings.EqualFold(strings.TrimSpace(k), "SignedHeaders"):
			case ok && strings.EqualFold(strings.TrimSpace(k), "Signature"):
				parts[i] = k + "=" + fingerprint(v)
			default:
				parts[i] = fingerprint(p)
			}
		}
		return scheme + " " + strings.Join(parts, "&")
	}
	return scheme + " " + fingerprint(rest)
}

// journalHeader is the copy of h the journal keeps: Authorization values are
// fingerprinted, so reading the journal (over the control plane, by anyone
// who can reach it) never yields a signature that replays. The full value
// stays reachable in-process through journal.Entry.RawAuthorization.
func journalHeader(h http.Header) (redacted http.Header, raw string) {
	redacted = h.Clone()
	if vs := redacted.Values("Authorization"); len(vs) > 0 {
		raw = vs[0]
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = redactAuthorization(v)
		}
		redacted["Authorization"] = out
	}
	return redacted, raw
}
