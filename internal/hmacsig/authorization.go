package hmacsig

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Bounds of ParseAuthorization. A real header is about 116 bytes; the bounds
// are generous for hand-written headers yet keep hostile input cheap.
const (
	MaxAuthorizationLen = 1024
	maxSignedHeaders    = 16
	maxSignatureLen     = 128
)

// SignatureSize is the length of a raw HMAC-SHA256 signature.
const SignatureSize = 32

// Auth is a parsed Authorization header.
type Auth struct {
	// Scheme is the scheme as sent (matched case-insensitively).
	Scheme string
	// SignedHeaders are the header names, lower-cased, in the order sent.
	SignedHeaders []string
	// Signature is the base64 signature as sent; ParseAuthorization has
	// checked that it decodes to SignatureSize bytes.
	Signature string
}

// strictStd rejects non-zero padding bits: without it two different signature
// strings decode to the same bytes and an altered signature would verify.
var strictStd = base64.StdEncoding.Strict()

// ParseAuthorization parses `HMAC-SHA256 SignedHeaders=a;b;c&Signature=sig`.
// It is bounded (MaxAuthorizationLen), never panics, matches the scheme and
// parameter names case-insensitively, and rejects duplicate, unknown, empty or
// missing parameters with an error that says which. Error messages quote at
// most a few dozen bytes of the input.
func ParseAuthorization(v string) (Auth, error) {
	if len(v) > MaxAuthorizationLen {
		return Auth{}, fmt.Errorf("authorization is %d bytes, more than the %d allowed", len(v), MaxAuthorizationLen)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return Auth{}, errors.New("authorization is empty")
	}
	scheme, params, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, Scheme) {
		return Auth{}, fmt.Errorf("authorization scheme is %s, want %s", Quote(scheme, 34), Scheme)
	}
	params = strings.TrimLeft(params, " \t")
	if params == "" {
		return Auth{}, errors.New("authorization has no parameters after " + Scheme + "; want SignedHeaders=<names>&Signature=<base64>")
	}
	a := Auth{Scheme: scheme}
	var haveHeaders, haveSig bool
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, "&")
		name, value, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return Auth{}, fmt.Errorf("authorization parameter %s has no '='", Quote(p, 34))
		}
		switch {
		case strings.EqualFold(name, "SignedHeaders"):
			if haveHeaders {
				return Auth{}, errors.New("authorization has SignedHeaders twice")
			}
			haveHeaders = true
			hs, err := parseSignedHeaders(value)
			if err != nil {
				return Auth{}, err
			}
			a.SignedHeaders = hs
		case strings.EqualFold(name, "Signature"):
			if haveSig {
				return Auth{}, errors.New("authorization has Signature twice")
			}
			haveSig = true
			if err := checkSignature(value); err != nil {
				return Auth{}, err
			}
			a.Signature = value
		default:
			return Auth{}, fmt.Errorf("authorization has unknown parameter %s; want SignedHeaders and Signature", Quote(name, 34))
		}
	}
	switch {
	case !haveHeaders:
		return Auth{}, errors.New("authorization has no SignedHeaders parameter")
	case !haveSig:
		return Auth{}, errors.New("authorization has no Signature parameter")
	}
	return a, nil
}

func parseSignedHeaders(v string) ([]string, error) {
	if v == "" {
		return nil, errors.New("authorization SignedHeaders is empty")
	}
	n := strings.Count(v, ";") + 1
	if n > maxSignedHeaders {
		return nil, fmt.Errorf("authorization SignedHeaders names %d headers, more than the %d allowed", n, maxSignedHeaders)
	}
	hs := make([]string, 0, n)
	for v != "" || len(hs) < n {
		var h string
		h, v, _ = strings.Cut(v, ";")
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, errors.New("authorization SignedHeaders has an empty header name")
		}
		if !isToken(h) {
			return nil, fmt.Errorf("authorization SignedHeaders has invalid header name %s", Quote(h, 34))
		}
		hs = append(hs, strings.ToLower(h))
	}
	return hs, nil
}

func checkSignature(v string) error {
	if v == "" {
		return errors.New("authorization Signature is empty")
	}
	_, err := DecodeSignature(v)
	return err
}

// DecodeSignature decodes a base64 HMAC-SHA256 signature strictly (padding
// bits must be zero, so one signature has one spelling) without allocating:
// it runs on every request.
func DecodeSignature(v string) ([SignatureSize]byte, error) {
	var sum [SignatureSize]byte
	if len(v) > maxSignatureLen {
		return sum, fmt.Errorf("authorization Signature is %d characters; a base64 HMAC-SHA256 is 44", len(v))
	}
	// encoding/base64 skips \r and \n even in Strict mode: without this
	// check "...\r=" would pass as a second spelling of a signature.
	if i := strings.IndexAny(v, "\r\n"); i >= 0 {
		return sum, fmt.Errorf("authorization Signature is not valid base64: line break at character %d", i)
	}
	var src [maxSignatureLen]byte
	var dst [maxSignatureLen]byte
	n := copy(src[:], v)
	m, err := strictStd.Decode(dst[:], src[:n])
	if err != nil {
		return sum, fmt.Errorf("authorization Signature %s is not valid base64: %v", Quote(v, 50), err)
	}
	if m != SignatureSize {
		return sum, fmt.Errorf("authorization Signature decodes to %d bytes; an HMAC-SHA256 signature is %d", m, SignatureSize)
	}
	copy(sum[:], dst[:m])
	return sum, nil
}

// isToken reports whether s is an RFC 9110 token, the grammar of header names.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return s != ""
}
