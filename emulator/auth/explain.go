package auth

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/acsemu/acsemu/internal/hmacsig"
)

// maxQuoted bounds each value quoted in an explanation; the whole explanation
// must fit the response header wire.Write puts it in.
const maxQuoted = 300

func quote(s string) string { return hmacsig.Quote(s, maxQuoted) }

func itoa(n int) string { return strconv.Itoa(n) }

// explainSignature says why no candidate matched. Without the debug header it
// can only quote what it expected; with it, it names each differing component.
func (v *Verifier) explainSignature(sc *scratch, r *http.Request, cands []candidate, want []byte) string {
	xs := r.Header["X-Ms-Host"]
	hasXMSHost := len(xs) > 0 && xs[0] != ""
	vals := r.Header[http.CanonicalHeaderKey(DebugHeader)]
	if len(vals) == 0 {
		return noMatch(v.strict, hasXMSHost, cands)
	}
	raw := vals[0]
	if len(raw) > maxDebug {
		return DebugHeader + " is " + itoa(len(raw)) + " bytes, more than the " + itoa(maxDebug) +
			" read, so it was ignored; " + noMatch(v.strict, hasXMSHost, cands)
	}
	client, err := hmacsig.SplitStringToSign(hmacsig.UnescapeStringToSign(raw))
	if err != nil {
		return DebugHeader + " could not be read (" + err.Error() + "; write the string-to-sign with newlines as \\n); " +
			noMatch(v.strict, hasXMSHost, cands)
	}
	best, bestDiffs := 0, diff(client, cands[0].parts)
	for i := 1; i < len(cands); i++ {
		if d := diff(client, cands[i].parts); len(d) < len(bestDiffs) {
			best, bestDiffs = i, d
		}
	}
	// Does the signature match what the client says it signed, under our key?
	// That separates "signed other bytes" from "signed with another key".
	keyOK := v.macEqual(sc, []byte(client.String()), want)
	var b strings.Builder
	b.WriteString("signature mismatch")
	if len(bestDiffs) == 0 {
		b.WriteString(": the client's string-to-sign equals the one the emulator expected (" + cands[best].name +
			" variant), so the access key differs: the signature was made with another key, or altered after signing")
		return b.String()
	}
	b.WriteString(": the client's string-to-sign differs from the one the emulator expected (closest: " +
		cands[best].name + " variant) in ")
	for i, d := range bestDiffs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d)
	}
	if keyOK {
		b.WriteString("; the signature does match the client's string-to-sign under the emulator's key, so the key is right")
	} else {
		b.WriteString("; the signature does not match the client's own string-to-sign under the emulator's key either, so the access key differs too")
	}
	return b.String()
}

// diff names each component of a string-to-sign where client and want differ.
func diff(client, want hmacsig.Parts) []string {
	var out []string
	add := func(name, got, exp string) {
		if got != exp {
			out = append(out, name+" (client signed "+quote(got)+", emulator expected "+quote(exp)+")")
		}
	}
	add("method", client.Method, want.Method)
	add("path", client.Path(), want.Path())
	add("query", queryPart(client.PathAndQuery), queryPart(want.PathAndQuery))
	add("date", client.Date, want.Date)
	add("host", client.Host, want.Host)
	add("content hash", client.ContentHash, want.ContentHash)
	return out
}

// queryPart is the query with its '?', so "/p" and "/p?" differ in the query.
func queryPart(pq string) string {
	if i := strings.IndexByte(pq, '?'); i >= 0 {
		return pq[i:]
	}
	return ""
}

// noMatch is the explanation when the client did not say what it signed.
func noMatch(strict, hasXMSHost bool, cands []candidate) string {
	// Name every variant considered, including those whose string-to-sign
	// equalled an earlier one's and so was not tried twice.
	names := []string{VariantDocumented, VariantJS, VariantDotnetJava}
	if hasXMSHost {
		names = append(names, VariantXMSHost)
	}
	var b strings.Builder
	if strict {
		b.WriteString("signature does not match the documented string-to-sign (strict mode tries no other variant)")
	} else {
		b.WriteString("signature matches no accepted variant (tried " + strings.Join(names, ", ") + ")")
	}
	b.WriteString("; the emulator expected the documented string-to-sign " +
		hmacsig.Quote(cands[0].parts.String(), 3*maxQuoted) +
		xmsHostHint(cands) +
		"; check the access key and the method, path and query, date, host and content hash the client signs, or send " +
		DebugHeader + " with the client's string-to-sign (newlines as \\n) to have them compared one by one")
	return b.String()
}

// xmsHostHint quotes the x-ms-host variant's string-to-sign too: for a
// download it is the one the client most likely meant, not the documented one.
func xmsHostHint(cands []candidate) string {
	for _, c := range cands {
		if c.name == VariantXMSHost {
			return " (or, for a download signed for x-ms-host, " + hmacsig.Quote(c.parts.String(), 3*maxQuoted) + ")"
		}
	}
	return ""
}
