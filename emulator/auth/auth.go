// Package auth verifies the HMAC-SHA256 signature of data-plane requests, the
// first thing the emulator does with every Call Automation and recording
// download request.
//
// The official SDKs disagree on what they sign (see the "HMAC-SHA256 request
// signing" section of acs-wire.md), and the real service accepts them all, so
// the Verifier accepts each real variant and says which one matched. When a
// signature fails it explains why in words (Result.Explanation), which the
// caller sends in a response header and the journal; the response body keeps
// the real service's shape (Result.Err).
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/wire"
	"github.com/acsemu/acsemu/internal/hmacsig"
)

// DebugHeader optionally carries the client's string-to-sign (newlines escaped
// as `\n`, see hmacsig.EscapeStringToSign). The verifier cannot see what a
// client signed; with this header it can diff it against what it expected and
// name the components that differ.
const DebugHeader = hmacsig.DebugHeader

// maxDebug bounds how much of DebugHeader is read.
const maxDebug = 8 << 10

// Variant names reported in Result.Variant.
const (
	// VariantDocumented signs the Host header as sent and the raw path and query.
	VariantDocumented = "documented"
	// VariantJS signs the host without a default port and the query re-encoded
	// as URLSearchParams does.
	VariantJS = "js"
	// VariantDotnetJava signs the host name without any port and the raw path and query.
	VariantDotnetJava = "dotnet-java"
	// VariantXMSHost signs the x-ms-host header (with or without its port) and
	// the path without the query: Call Automation SDK recording downloads.
	VariantXMSHost = "x-ms-host"
	// LegacyDateSuffix is appended to the variant when the client signed Date
	// instead of x-ms-date, as the 2021 quickstart (the seed) does.
	LegacyDateSuffix = "+date"
)

// Failure kinds reported in Result.Failure.
const (
	FailMissingAuthorization   = "missing-authorization"
	FailMalformedAuthorization = "malformed-authorization"
	FailSignedHeaders          = "signed-headers"
	FailMissingDate            = "missing-date"
	FailBadDate                = "bad-date"
	FailClockSkew              = "clock-skew"
	FailContentHash            = "content-hash"
	FailSignature              = "signature"
)

// Options configure a Verifier.
type Options struct {
	// AccessKey is the decoded access key (see hmacsig.DecodeKey).
	AccessKey []byte
	// MaxClockSkew bounds |clock - request date|; 0 disables the check.
	// The real service family allows 15 minutes.
	MaxClockSkew time.Duration
	// Strict accepts only x-ms-date and the documented host and path.
	Strict bool
	// Clock is the emulator clock; nil means the wall clock.
	Clock clock.Clock
}

// Verifier checks request signatures. It is safe for concurrent use.
type Verifier struct {
	key    []byte
	skew   time.Duration
	strict bool
	clock  clock.Clock
	// scratch pools HMAC states and buffers: Verify runs on every request and
	// hmac.New alone costs several allocations.
	scratch sync.Pool
}

type scratch struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// NewVerifier returns a Verifier for o.
func NewVerifier(o Options) (*Verifier, error) {
	if len(o.AccessKey) == 0 {
		return nil, errors.New("auth: empty access key")
	}
	if o.MaxClockSkew < 0 {
		return nil, errors.New("auth: negative MaxClockSkew")
	}
	v := &Verifier{key: append([]byte(nil), o.AccessKey...), skew: o.MaxClockSkew, strict: o.Strict, clock: o.Clock}
	if v.clock == nil {
		v.clock = clock.Real{}
	}
	v.scratch.New = func() any {
		return &scratch{mac: hmac.New(sha256.New, v.key), buf: make([]byte, 0, 256)}
	}
	return v, nil
}

// Result is the outcome of Verify.
type Result struct {
	OK bool
	// Variant names the accepted variant that matched (OK only).
	Variant string
	// Failure is one of the Fail* kinds (not OK only).
	Failure string
	// Explanation says in words what is wrong (not OK only).
	Explanation string
	// StringToSign is the string the signature matched, or on a signature
	// failure the documented string-to-sign the emulator expected.
	StringToSign string
}

// Err returns the error to answer with, nil when r is OK. The caller picks the
// body shape (wire.ShapeACS or wire.ShapeStorage); the explanation travels in
// wire.ExplanationHeader.
func (r Result) Err() *wire.Error {
	if r.OK {
		return nil
	}
	if r.Failure == FailContentHash {
		return &wire.Error{Status: http.StatusUnauthorized, Code: "Denied",
			Message: "Request 'x-ms-content-sha256' differs from generated content hash.", Explanation: r.Explanation}
	}
	return &wire.Error{Status: http.StatusUnauthorized, Code: "7509",
		Message: "HMAC-SHA256 validation failed", Explanation: r.Explanation}
}

func fail(kind, explanation string) Result {
	return Result{Failure: kind, Explanation: explanation}
}

// Verify checks r's signature over body, the body actually received. It only
// reads r.
func (v *Verifier) Verify(r *http.Request, body []byte) Result {
	if r == nil || r.URL == nil {
		return fail(FailMalformedAuthorization, "no request URL to verify")
	}
	authz := r.Header["Authorization"]
	if len(authz) == 0 || strings.TrimSpace(authz[0]) == "" {
		return fail(FailMissingAuthorization, "the request has no Authorization header; data-plane requests must be signed: "+
			"Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64 HMAC>")
	}
	if len(authz) > 1 {
		return fail(FailMalformedAuthorization, "the request has "+itoa(len(authz))+" Authorization headers; send exactly one")
	}
	a, err := parseAuthorization(authz[0])
	if err != nil {
		return fail(FailMalformedAuthorization, "malformed Authorization header: "+err.Error()+
			"; want HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64 HMAC>")
	}
	if !signedHeadersOK(a.SignedHeaders) {
		return fail(FailSignedHeaders, "SignedHeaders is "+quote(strings.Join(a.SignedHeaders, ";"))+
			"; want exactly x-ms-date;host;x-ms-content-sha256 (or date;host;x-ms-content-sha256), in that order")
	}
	legacy := a.SignedHeaders[0] == "date"
	if legacy && v.strict {
		return fail(FailSignedHeaders, "SignedHeaders names date; strict mode accepts only x-ms-date "+
			"(signing Date, as the 2021 quickstart does, is accepted only when the emulator is not strict)")
	}
	dateName, otherName := "X-Ms-Date", "Date"
	if legacy {
		dateName, otherName = otherName, dateName
	}
	dates := r.Header[dateName]
	if len(dates) == 0 {
		msg := "SignedHeaders names " + a.SignedHeaders[0] + " but the request has no " + a.SignedHeaders[0] + " header"
		if len(r.Header[otherName]) > 0 {
			msg += " (it has " + strings.ToLower(otherName) + "; SignedHeaders must name the date header the client signed)"
		}
		return fail(FailMissingDate, msg)
	}
	date := dates[0]
	t, err := time.Parse(http.TimeFormat, date)
	if err != nil {
		return fail(FailBadDate, a.SignedHeaders[0]+" is "+quote(date)+
			", not an RFC 1123 date in GMT like \"Tue, 01 Jul 2025 12:34:56 GMT\"")
	}
	if v.skew > 0 {
		if msg := skewError(v.clock.Now(), t, v.skew); msg != "" {
			return fail(FailClockSkew, msg)
		}
	}

	// The content hash: recompute it from the body received, without allocating.
	var hashBuf [44]byte
	sum := sha256.Sum256(body)
	base64.StdEncoding.Encode(hashBuf[:], sum[:])
	hashes := r.Header["X-Ms-Content-Sha256"]
	if len(hashes) == 0 {
		return fail(FailContentHash, "the request has no x-ms-content-sha256 header; it must carry base64(SHA-256(body)), "+
			string(hashBuf[:])+" for the "+itoa(len(body))+"-byte body received")
	}
	if hashes[0] != string(hashBuf[:]) {
		return fail(FailContentHash, "x-ms-content-sha256 is "+quote(hashes[0])+" but the "+itoa(len(body))+
			"-byte body received hashes to "+string(hashBuf[:])+": the body changed after signing, or the client hashed other bytes")
	}
	contentHash := hashes[0]

	sig, err := hmacsig.DecodeSignature(a.Signature)
	if err != nil {
		// Only the fast path in parseAuthorization gets here; ParseAuthorization
		// has the clearer message.
		if _, perr := hmacsig.ParseAuthorization(authz[0]); perr != nil {
			err = perr
		}
		return fail(FailMalformedAuthorization, "malformed Authorization header: "+err.Error())
	}
	want := sig[:]

	sc := v.scratch.Get().(*scratch)
	defer v.putScratch(sc)

	// The documented variant first, without building the other candidates:
	// it is what current SDKs match, and the fast path.
	doc := documented(r, date, contentHash)
	if sts, ok := v.match(sc, &doc, want); ok {
		return Result{OK: true, Variant: variantName(doc.name, legacy), StringToSign: sts}
	}
	cands := []candidate{doc}
	if !v.strict {
		cands = others(cands, r, date, contentHash)
		for i := 1; i < len(cands); i++ {
			if sts, ok := v.match(sc, &cands[i], want); ok {
				return Result{OK: true, Variant: variantName(cands[i].name, legacy), StringToSign: sts}
			}
		}
	}
	res := fail(FailSignature, v.explainSignature(sc, r, cands, want))
	res.StringToSign = doc.parts.String()
	return res
}

// putScratch returns sc to the pool unless a huge URL grew its buffer, which
// would otherwise stay pinned in memory.
func (v *Verifier) putScratch(sc *scratch) {
	if cap(sc.buf) > 64<<10 {
		sc.buf = make([]byte, 0, 256)
	}
	v.scratch.Put(sc)
}

// match reports whether c's string-to-sign carries the signature want, and
// returns that string when it does.
func (v *Verifier) match(sc *scratch, c *candidate, want []byte) (string, bool) {
	p := &c.parts
	b := append(sc.buf[:0], p.Method...)
	b = append(b, '\n')
	b = append(b, p.PathAndQuery...)
	b = append(b, '\n')
	b = append(b, p.Date...)
	b = append(b, ';')
	b = append(b, p.Host...)
	b = append(b, ';')
	b = append(b, p.ContentHash...)
	sc.buf = b
	if !v.macEqual(sc, b, want) {
		return "", false
	}
	return string(b), true
}

// macEqual compares HMAC(key, msg) with want in constant time.
func (v *Verifier) macEqual(sc *scratch, msg, want []byte) bool {
	sc.mac.Reset()
	sc.mac.Write(msg)
	return hmac.Equal(sc.mac.Sum(sc.sum[:0]), want)
}

// The Authorization prefixes SDKs send, parsed without ParseAuthorization's
// generality (a quarter of Verify's time otherwise). The slices are shared and
// never modified.
var (
	xmsDateHeaders = []string{"x-ms-date", "host", "x-ms-content-sha256"}
	dateHeaders    = []string{"date", "host", "x-ms-content-sha256"}
	xmsDatePrefix  = hmacsig.Authorization(xmsDateHeaders, "")
	datePrefix     = hmacsig.Authorization(dateHeaders, "")
)

// parseAuthorization is hmacsig.ParseAuthorization with a fast path for the
// exact headers SDKs send. The fast path does not check the signature's
// base64; Verify decodes it next.
func parseAuthorization(v string) (hmacsig.Auth, error) {
	if sig, ok := strings.CutPrefix(v, xmsDatePrefix); ok && len(sig) == 44 {
		return hmacsig.Auth{Scheme: hmacsig.Scheme, SignedHeaders: xmsDateHeaders, Signature: sig}, nil
	}
	if sig, ok := strings.CutPrefix(v, datePrefix); ok && len(sig) == 44 {
		return hmacsig.Auth{Scheme: hmacsig.Scheme, SignedHeaders: dateHeaders, Signature: sig}, nil
	}
	return hmacsig.ParseAuthorization(v)
}

func signedHeadersOK(h []string) bool {
	return len(h) == 3 && (h[0] == "x-ms-date" || h[0] == "date") && h[1] == "host" && h[2] == "x-ms-content-sha256"
}

func variantName(base string, legacy bool) string {
	if !legacy {
		return base
	}
	// Constants, so the success path does not allocate.
	switch base {
	case VariantDocumented:
		return VariantDocumented + LegacyDateSuffix
	case VariantJS:
		return VariantJS + LegacyDateSuffix
	case VariantDotnetJava:
		return VariantDotnetJava + LegacyDateSuffix
	case VariantXMSHost:
		return VariantXMSHost + LegacyDateSuffix
	}
	return base + LegacyDateSuffix
}

// skewError explains a date too far from the clock, "" when it is within max.
// It compares instants, never their difference: now.Sub(date) saturates at
// about 292 years, and negating the saturated minimum stays negative, so a
// date far enough ahead used to pass as "within" the skew.
func skewError(now, date time.Time, max time.Duration) string {
	if !date.Before(now.Add(-max)) && !date.After(now.Add(max)) {
		return ""
	}
	d, dir := now.Sub(date), "behind"
	if date.After(now) {
		d, dir = date.Sub(now), "ahead of"
	}
	amount := d.Round(time.Millisecond).String()
	if d == math.MaxInt64 { // saturated: the real distance does not fit a Duration
		amount = "more than 292 years"
	}
	return "request date is " + amount + " " + dir +
		" the emulator clock, more than the allowed " + max.String()
}
