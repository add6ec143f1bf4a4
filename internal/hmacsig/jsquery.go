package hmacsig

import "strings"

// JSPathAndQuery returns the PathAndQuery the JavaScript SDK signs for a
// request whose raw (escaped) path and raw query are given: the SDK signs
// `url.pathname + "?" + url.searchParams.toString()`, and URLSearchParams
// re-encodes the query. That is: parse it as application/x-www-form-urlencoded
// (split on '&', skip empty pairs, split each on its first '=', '+' means space,
// percent-decode, replace invalid UTF-8 with U+FFFD), then serialise every pair
// as name=value joined by '&', leaving ASCII alphanumerics and "*-._" alone,
// writing space as '+' and percent-encoding every other byte in upper-case hex
// (so '~' becomes %7E). No '?' is added when the re-encoded query is empty.
func JSPathAndQuery(rawPath, rawQuery string) string {
	q := jsSearchParams(rawQuery)
	if q == "" {
		return rawPath
	}
	return rawPath + "?" + q
}

// jsSearchParams is URLSearchParams' parse-then-serialise round trip.
func jsSearchParams(raw string) string {
	if raw == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(raw) + len(raw)/4)
	first := true
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		if !first {
			b.WriteByte('&')
		}
		first = false
		formEncode(&b, whatwgUTF8(formDecode(name)))
		b.WriteByte('=')
		formEncode(&b, whatwgUTF8(formDecode(value)))
	}
	return b.String()
}

// formDecode turns '+' into space and decodes %XX; a '%' not followed by two
// hex digits stays literal, as the WHATWG percent-decoder specifies.
func formDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			out = append(out, ' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

// whatwgUTF8 is the Encoding Standard's "UTF-8 decode without BOM" followed by
// UTF-8 encode: each maximal invalid subpart becomes one U+FFFD. Go's
// utf8.DecodeRune would emit one U+FFFD per byte instead, which signs a
// different string from the one a browser or Node signs.
func whatwgUTF8(in []byte) []byte {
	valid := true
	for _, c := range in {
		if c >= 0x80 {
			valid = false
			break
		}
	}
	if valid {
		return in
	}
	const replacement = "\uFFFD"
	out := make([]byte, 0, len(in)+8)
	var cp rune
	needed, seen := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i < len(in); i++ {
		c := in[i]
		if needed == 0 {
			switch {
			case c <= 0x7F:
				out = append(out, c)
			case 0xC2 <= c && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case 0xE0 <= c && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				} else if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0x0F)
			case 0xF0 <= c && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				} else if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x07)
			default:
				out = append(out, replacement...)
			}
			continue
		}
		if c < lower || c > upper {
			// The byte ends an invalid subpart and is then read afresh.
			needed, seen, cp = 0, 0, 0
			lower, upper = 0x80, 0xBF
			out = append(out, replacement...)
			i--
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		seen++
		if seen == needed {
			out = append(out, string(cp)...)
			needed, seen, cp = 0, 0, 0
		}
	}
	if needed != 0 {
		out = append(out, replacement...)
	}
	return out
}

// formEncode writes s with the application/x-www-form-urlencoded percent-encode
// set and space as '+'.
func formEncode(b *strings.Builder, s []byte) {
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
		}
	}
}
