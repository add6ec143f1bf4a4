// Package hmacsig holds the pure primitives of the HMAC-SHA256 request
// signing scheme of Azure Communication Services, shared by the emulator's
// verifier (emulator/auth) and the reference client's signer (client/signer)
// so the two can never drift apart:
//
//	StringToSign = VERB "\n" PathAndQuery "\n" Date ";" Host ";" ContentHash
//	Signature    = base64(HMAC-SHA256(base64decode(accessKey), StringToSign))
//	Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<Signature>
//
// Nothing here reads the clock, the network or any global state.
package hmacsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Scheme is the authorization scheme name.
const Scheme = "HMAC-SHA256"

// DebugHeader optionally carries the client's string-to-sign, escaped with
// EscapeStringToSign, so the emulator can say which component differs from
// what it expected. Real services ignore it.
const DebugHeader = "X-Acsemu-String-To-Sign"

// EmptyContentHash is ContentHash(nil), the hash every GET carries.
const EmptyContentHash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

// ContentHash returns base64(SHA-256(body)), the x-ms-content-sha256 value.
func ContentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// StringToSign assembles the string the signature covers. It does no
// validation: callers sign exactly what they pass, which is the point of a
// shared primitive.
func StringToSign(method, pathAndQuery, date, host, contentHash string) string {
	return method + "\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash
}

// Sign returns base64(HMAC-SHA256(key, stringToSign)).
func Sign(key []byte, stringToSign string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Authorization formats the Authorization header value.
func Authorization(signedHeaders []string, signature string) string {
	return Scheme + " SignedHeaders=" + strings.Join(signedHeaders, ";") + "&Signature=" + signature
}

// DecodeKey decodes a base64 access key. The error never quotes the key: it is
// a secret and error messages end up in logs.
func DecodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("access key is empty")
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("access key is not valid base64 (%d characters): %w", len(s), err)
	}
	if len(key) == 0 {
		return nil, errors.New("access key decodes to zero bytes")
	}
	return key, nil
}

// Parts are the components of a string-to-sign.
type Parts struct {
	Method       string
	PathAndQuery string
	Date         string
	Host         string
	ContentHash  string
}

// String reassembles the string-to-sign.
func (p Parts) String() string {
	return StringToSign(p.Method, p.PathAndQuery, p.Date, p.Host, p.ContentHash)
}

// Path is PathAndQuery up to the first '?'.
func (p Parts) Path() string {
	path, _, _ := strings.Cut(p.PathAndQuery, "?")
	return path
}

// Query is PathAndQuery after the first '?' ("" when there is none).
func (p Parts) Query() string {
	_, q, _ := strings.Cut(p.PathAndQuery, "?")
	return q
}

// SplitStringToSign is the inverse of StringToSign. Dates, hosts and base64
// hashes hold no ';', so the date ends at the first ';' of the last line and
// the hash starts after its last one; the host is what lies between.
func SplitStringToSign(s string) (Parts, error) {
	method, rest, ok := strings.Cut(s, "\n")
	if !ok {
		return Parts{}, errors.New("string-to-sign has no newline after the method")
	}
	pq, last, ok := strings.Cut(rest, "\n")
	if !ok {
		return Parts{}, errors.New("string-to-sign has no newline after the path and query")
	}
	if strings.Contains(last, "\n") {
		return Parts{}, errors.New("string-to-sign has more than three lines")
	}
	date, hostHash, ok := strings.Cut(last, ";")
	i := strings.LastIndexByte(hostHash, ';')
	if !ok || i < 0 {
		return Parts{}, errors.New("string-to-sign's last line is not date;host;content-hash")
	}
	return Parts{Method: method, PathAndQuery: pq, Date: date, Host: hostHash[:i], ContentHash: hostHash[i+1:]}, nil
}

// EscapeStringToSign makes a string-to-sign fit in one header value (the
// X-Acsemu-String-To-Sign debug header): backslash becomes `\\`, newline `\n`,
// carriage return `\r` and other control bytes `\xHH`.
func EscapeStringToSign(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// UnescapeStringToSign reverses EscapeStringToSign. Unknown or truncated
// escapes are kept literally: the header is a debugging aid written by hand as
// often as by a program, and a lenient reading gives a more useful diff than
// an error.
func UnescapeStringToSign(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i++
		case 'n':
			b.WriteByte('\n')
			i++
		case 'r':
			b.WriteByte('\r')
			i++
		case 'x':
			if i+3 < len(s) && ishex(s[i+2]) && ishex(s[i+3]) {
				b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
				i += 3
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

const upperhex = "0123456789ABCDEF"

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// Quote returns s as a Go-quoted string (strconv.Quote) of at most n bytes,
// quotes included, so a hostile header cannot make an error (and the log line
// it lands in) huge. The bound is on the escaped text: a non-printable byte
// costs four bytes (\xff) and some runes six or ten, so clipping the raw
// string first would not bound the result. A clipped value ends in "...".
// n below 8 is raised to 8, room for a quoted "x...".
func Quote(s string, n int) string {
	n = max(n, 8)
	if q := strconv.Quote(s); len(q) <= n {
		return q
	}
	budget := n - len(`"..."`)
	out := make([]byte, 0, n)
	out = append(out, '"')
	for len(s) > 0 {
		_, w := utf8.DecodeRuneInString(s)
		esc := strconv.Quote(s[:w])
		esc = esc[1 : len(esc)-1]
		if len(out)-1+len(esc) > budget {
			break
		}
		out = append(out, esc...)
		s = s[w:]
	}
	return string(append(out, `..."`...))
}
