package auth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/internal/hmacsig"
)

// replay is one golden request of fixtures/hmac-vectors.json, in a form the
// tests can alter one component at a time.
type replay struct {
	name    string
	method  string
	url     string
	body    string
	key     []byte
	host    string
	header  http.Header
	sts     string // what the JavaScript SDK signed
	variant string // the variant it must match
}

func (p replay) clone() replay {
	p.header = p.header.Clone()
	p.key = append([]byte(nil), p.key...)
	return p
}

func (p replay) request() *http.Request {
	r := httptest.NewRequest(p.method, p.url, strings.NewReader(p.body))
	r.Host = p.host
	for k, vs := range p.header {
		r.Header[k] = append([]string(nil), vs...)
	}
	return r
}

func loadVectors(t testing.TB) []replay {
	t.Helper()
	raw, err := os.ReadFile("../../fixtures/hmac-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []struct {
			Name  string
			Input struct {
				Method, URL, Body, AccessKeyBase64 string
			}
			SdkStringToSign string
			SdkHeaders      map[string]string
		}
		CallAutomationDownload []struct {
			Name  string
			Input struct {
				AccessKeyBase64 string
			}
			WireURL             string
			Method              string
			SdkHeaders          map[string]string
			ImpliedStringToSign string
		}
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	mk := func(name, method, url, body, key string, headers map[string]string, sts, variant string) replay {
		k, err := hmacsig.DecodeKey(key)
		if err != nil {
			t.Fatal(err)
		}
		p := replay{name: name, method: method, url: url, body: body, key: k, header: http.Header{}, sts: sts, variant: variant}
		for hk, hv := range headers {
			if strings.EqualFold(hk, "Host") {
				p.host = hv
				continue
			}
			p.header.Set(hk, hv)
		}
		return p
	}
	var out []replay
	for _, v := range f.Vectors {
		out = append(out, mk(v.Name, v.Input.Method, v.Input.URL, v.Input.Body, v.Input.AccessKeyBase64, v.SdkHeaders, v.SdkStringToSign, VariantDocumented))
	}
	for _, v := range f.CallAutomationDownload {
		out = append(out, mk(v.Name, v.Method, v.WireURL, "", v.Input.AccessKeyBase64, v.SdkHeaders, v.ImpliedStringToSign, VariantXMSHost))
	}
	if len(out) != 5 {
		t.Fatalf("loaded %d vectors, want 5", len(out))
	}
	return out
}

func verifierFor(t testing.TB, key []byte, strict bool) *Verifier {
	t.Helper()
	v, err := NewVerifier(Options{AccessKey: key, Strict: strict})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVectorsVerify(t *testing.T) {
	for _, p := range loadVectors(t) {
		t.Run(p.name, func(t *testing.T) {
			res := verifierFor(t, p.key, false).Verify(p.request(), []byte(p.body))
			if !res.OK || res.Variant != p.variant || res.StringToSign != p.sts {
				t.Fatalf("Verify = %+v, want OK with variant %s and string-to-sign %q", res, p.variant, p.sts)
			}
			if res.Err() != nil {
				t.Errorf("Err() = %v on success", res.Err())
			}
			strictRes := verifierFor(t, p.key, true).Verify(p.request(), []byte(p.body))
			if p.variant == VariantDocumented && !strictRes.OK {
				t.Errorf("strict Verify = %+v", strictRes)
			}
			if p.variant != VariantDocumented && strictRes.OK {
				t.Errorf("strict mode accepted the %s variant", p.variant)
			}
		})
	}
}

// bump changes one byte, staying printable and in the same character class.
func bump(c byte) byte {
	switch c {
	case 'z', 'Z', '9':
		return c - 1
	}
	return c + 1
}

func bumpAt(s string, i int) string { return s[:i] + string(bump(s[i])) + s[i+1:] }

// mutation changes one byte of one component of a replayed request.
type mutation struct {
	component string // what the explanation must name
	apply     func(p *replay)
}

func mutations(download bool) []mutation {
	pathEnd := func(url string) int {
		if i := strings.IndexByte(url, '?'); i >= 0 {
			return i
		}
		return len(url)
	}
	return []mutation{
		{"method", func(p *replay) { p.method = bumpAt(p.method, len(p.method)-1) }},
		{"path", func(p *replay) { p.url = bumpAt(p.url, pathEnd(p.url)-1) }},
		{"query", func(p *replay) { p.url = bumpAt(p.url, len(p.url)-1) }},
		{"host", func(p *replay) {
			if download {
				// The download signs x-ms-host; the Host header is the storage host.
				p.header.Set("X-Ms-Host", bumpAt(p.header.Get("X-Ms-Host"), 0))
				return
			}
			p.host = bumpAt(p.host, 0)
		}},
		{"date", func(p *replay) {
			d := p.header.Get("X-Ms-Date")
			p.header.Set("X-Ms-Date", bumpAt(d, strings.Index(d, " GMT")-1))
		}},
		{"body", func(p *replay) {
			if p.body == "" {
				p.body = "x"
				return
			}
			p.body = bumpAt(p.body, len(p.body)-2)
		}},
		{"signature", func(p *replay) {
			a := p.header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			c := byte('A') // stay within base64, so this is a wrong signature, not a malformed one
			if a[i] == 'A' {
				c = 'B'
			}
			p.header.Set("Authorization", a[:i]+string(c)+a[i+1:])
		}},
		{"key", func(p *replay) { p.key[0] ^= 1 }},
	}
}

func TestVectorsSingleByteChanges(t *testing.T) {
	for _, orig := range loadVectors(t) {
		download := orig.variant == VariantXMSHost
		for _, m := range mutations(download) {
			for _, debug := range []bool{false, true} {
				name := orig.name + "/" + m.component
				if debug {
					name += "/debug"
				}
				t.Run(name, func(t *testing.T) {
					p := orig.clone()
					m.apply(&p)
					if debug {
						p.header.Set(DebugHeader, hmacsig.EscapeStringToSign(orig.sts))
					}
					res := verifierFor(t, p.key, false).Verify(p.request(), []byte(p.body))
					if download && m.component == "query" {
						// The download signature covers the path without the query.
						if !res.OK {
							t.Fatalf("changing the unsigned query failed: %+v", res)
						}
						return
					}
					if res.OK {
						t.Fatalf("a changed %s verified as %s", m.component, res.Variant)
					}
					checkFailure(t, m.component, debug, res)
				})
			}
		}
	}
}

func checkFailure(t *testing.T, component string, debug bool, res Result) {
	t.Helper()
	e := res.Err()
	if e == nil || e.Status != http.StatusUnauthorized {
		t.Fatalf("Err() = %v, want a 401", e)
	}
	switch component {
	case "body":
		if res.Failure != FailContentHash || e.Code != "Denied" || !strings.Contains(res.Explanation, "body") {
			t.Fatalf("changed body: %+v", res)
		}
		return
	}
	if e.Code != "7509" || e.Message != "HMAC-SHA256 validation failed" {
		t.Errorf("Err() = %+v", e)
	}
	if res.Failure != FailSignature {
		t.Fatalf("Failure = %s (%s), want %s", res.Failure, res.Explanation, FailSignature)
	}
	if !debug {
		if !strings.Contains(res.Explanation, "matches no accepted variant") {
			t.Errorf("explanation without the debug header: %s", res.Explanation)
		}
		return
	}
	named := map[string]bool{}
	for _, c := range []string{"method", "path", "query", "date", "host", "content hash"} {
		named[c] = strings.Contains(res.Explanation, c+" (client signed")
	}
	switch component {
	case "signature", "key":
		if !strings.Contains(res.Explanation, "access key differs") {
			t.Errorf("explanation does not blame the key: %s", res.Explanation)
		}
		for c, ok := range named {
			if ok {
				t.Errorf("explanation names %s, which did not change: %s", c, res.Explanation)
			}
		}
	default:
		for c, ok := range named {
			if ok != (c == component) {
				t.Errorf("explanation names %s = %v after changing %s: %s", c, ok, component, res.Explanation)
			}
		}
		if !strings.Contains(res.Explanation, "so the key is right") {
			t.Errorf("explanation should clear the key: %s", res.Explanation)
		}
	}
}

// Every single-character change of the signature must fail, including those
// that only touch base64 padding bits.
func TestVectorsEverySignatureByte(t *testing.T) {
	for _, p := range loadVectors(t) {
		v := verifierFor(t, p.key, false)
		a := p.header.Get("Authorization")
		start := strings.Index(a, "Signature=") + len("Signature=")
		for i := start; i < len(a); i++ {
			for _, c := range []byte("AZaz09+/=") {
				if c == a[i] {
					continue
				}
				q := p.clone()
				q.header.Set("Authorization", a[:i]+string(c)+a[i+1:])
				if res := v.Verify(q.request(), []byte(q.body)); res.OK {
					t.Fatalf("%s: signature with byte %d set to %q verified", p.name, i-start, c)
				}
			}
		}
	}
}
