package auth

import (
	"net/http"
	"strings"

	"github.com/acsemu/acsemu/internal/hmacsig"
)

// candidate is one accepted variant's string-to-sign for a request.
type candidate struct {
	name  string
	parts hmacsig.Parts
}

// requestHost is the Host header as sent (Go moves it to r.Host).
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// documented signs what the request carries: the Host header and the raw path
// and query, as acs-wire.md and the seed's C# sample describe.
func documented(r *http.Request, date, contentHash string) candidate {
	pq := r.URL.EscapedPath()
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		pq += "?" + r.URL.RawQuery
	}
	return candidate{VariantDocumented, hmacsig.Parts{
		Method: r.Method, PathAndQuery: pq, Date: date, Host: requestHost(r), ContentHash: contentHash}}
}

// others appends the non-documented variants to cands (which holds the
// documented one), skipping any whose string-to-sign equals one already there:
// for most requests several SDKs sign the same bytes, and trying them twice
// would only make explanations longer.
func others(cands []candidate, r *http.Request, date, contentHash string) []candidate {
	host := requestHost(r)
	path := r.URL.EscapedPath()
	pq := cands[0].parts.PathAndQuery
	add := func(name, host, pq string) {
		p := hmacsig.Parts{Method: r.Method, PathAndQuery: pq, Date: date, Host: host, ContentHash: contentHash}
		for _, c := range cands {
			if c.parts == p {
				return
			}
		}
		cands = append(cands, candidate{name, p})
	}
	add(VariantJS, stripDefaultPort(host, r.TLS != nil), hmacsig.JSPathAndQuery(path, r.URL.RawQuery))
	add(VariantDotnetJava, hostname(host), pq)
	if xs := r.Header["X-Ms-Host"]; len(xs) > 0 && xs[0] != "" {
		// The download is signed for the ACS endpoint, with the path only.
		add(VariantXMSHost, xs[0], path)
		add(VariantXMSHost, hostname(xs[0]), path)
	}
	return cands
}

// splitHostPort splits "host:port", "[v6]:port", "host" or "[v6]" without
// failing: malformed input is all host.
func splitHostPort(hp string) (host, port string) {
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return hp, ""
		}
		if rest := hp[end+1:]; strings.HasPrefix(rest, ":") {
			return hp[:end+1], rest[1:]
		}
		return hp, ""
	}
	i := strings.LastIndexByte(hp, ':')
	if i < 0 || strings.IndexByte(hp, ':') != i {
		// No port, or an unbracketed IPv6 address.
		return hp, ""
	}
	return hp[:i], hp[i+1:]
}

// hostname drops any port, as the .NET and Java SDKs sign.
func hostname(hp string) string {
	h, _ := splitHostPort(hp)
	return h
}

// stripDefaultPort drops the scheme's default port, as a WHATWG URL's host does.
func stripDefaultPort(hp string, tls bool) string {
	h, port := splitHostPort(hp)
	if tls && port == "443" || !tls && port == "80" {
		return h
	}
	return hp
}
