package auth

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/internal/hmacsig"
)

// FuzzVerify feeds hostile header values to Verify: it must never panic, and
// must never accept a request it was not given a valid signature for.
func FuzzVerify(f *testing.F) {
	good := signed("GET", "http://localhost:10000/p?a=1", "", "", "x-ms-date", "localhost:10000", "/p?a=1")
	f.Add(good.Header.Get("Authorization"), testDateStr, hmacsig.EmptyContentHash, "", "", "localhost:10000")
	f.Add("HMAC-SHA256 SignedHeaders=date;host;x-ms-content-sha256&Signature=AAAA", "junk", "x", `GET\n/p\nd;h;x`, "h:1", "[::1")
	f.Add("hmac-sha256 signature=;signedheaders=", "", "", `\x`, "", ":")
	v := verifierFor(f, testKey, false)
	f.Fuzz(func(t *testing.T, authz, date, hash, debug, xmsHost, host string) {
		r := httptest.NewRequest("GET", "http://localhost:10000/p?a=1", nil)
		r.Host = host
		r.Header["Authorization"] = []string{authz}
		r.Header["X-Ms-Date"] = []string{date}
		r.Header["Date"] = []string{date}
		r.Header["X-Ms-Content-Sha256"] = []string{hash}
		r.Header["X-Ms-Host"] = []string{xmsHost}
		r.Header[DebugHeader] = []string{debug}
		res := v.Verify(r, nil)
		if res.OK {
			if authz != good.Header.Get("Authorization") && !strings.Contains(authz, "Signature=") {
				t.Fatalf("accepted %q", authz)
			}
			return
		}
		if res.Failure == "" || res.Explanation == "" || res.Err() == nil {
			t.Fatalf("failure without an explanation: %+v", res)
		}
	})
}
