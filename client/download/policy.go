package download

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// MaxIDLength bounds a document id.
const MaxIDLength = 200

// ValidateID checks that a document id can name files in the output folder:
// only ASCII letters, digits, '-', '_' and '.', at most MaxIDLength bytes, not
// starting with '.' and never containing "..". Real ids look like
// "0-eus-d12-801b3f3fc462fe8a01e6810cbff729b8".
func ValidateID(id string) error {
	switch {
	case id == "":
		return errors.New("document id is empty")
	case len(id) > MaxIDLength:
		return fmt.Errorf("document id is %d bytes long; at most %d are allowed", len(id), MaxIDLength)
	case strings.HasPrefix(id, "."):
		return fmt.Errorf("document id %q starts with '.'", clip(id))
	case strings.Contains(id, ".."):
		return fmt.Errorf("document id %q contains \"..\"", clip(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("document id %q has a character other than letters, digits, '-', '_' and '.' at byte %d", clip(id), i)
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// Policy decides which URLs the downloader may fetch (and so sign for): the
// endpoint's host, plus an explicit allow-list.
type Policy struct {
	endpointHost   string
	endpointScheme string
	allow          []hostPattern
}

// hostPattern is one allow-list entry: a host name, or with a leading "*." a
// suffix matching every sub-domain; port "" matches any port.
type hostPattern struct {
	name     string // lower case; ".example.com" for "*.example.com"
	wildcard bool
	port     string
}

// parseHostPattern reads "host", "host:port", "*.example.com" or
// "*.example.com:port" (IPv6 literals in brackets).
func parseHostPattern(a string) (hostPattern, error) {
	var p hostPattern
	if strings.ContainsAny(a, "/@?#") {
		return p, fmt.Errorf("download: allowed host %q must be a host[:port], not a URL", a)
	}
	p.name = a
	if h, port, err := net.SplitHostPort(a); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return p, fmt.Errorf("download: allowed host %q: %q is not a port", a, port)
		}
		p.name, p.port = h, port
	}
	if rest, ok := strings.CutPrefix(p.name, "*."); ok {
		if strings.ContainsAny(rest, "*:[]") || !strings.Contains(rest, ".") {
			return p, fmt.Errorf("download: allowed host %q: a wildcard must look like *.example.com[:port]", a)
		}
		p.name, p.wildcard = "."+rest, true
	}
	if p.name == "" || strings.Contains(p.name, "*") || (strings.Contains(p.name, ":") && net.ParseIP(p.name) == nil) {
		return p, fmt.Errorf("download: allowed host %q must be a host[:port] or *.example.com[:port]", a)
	}
	return p, nil
}

// match reports whether a host name and port (lower case, port "" for the
// scheme's default) fit the pattern.
func (p hostPattern) match(name, port string) bool {
	// The host is normalised without its default port: a pattern naming
	// 443 or 80 still matches it.
	if p.port != "" && p.port != port && (port != "" || (p.port != "443" && p.port != "80")) {
		return false
	}
	if p.wildcard {
		return strings.HasSuffix(name, p.name)
	}
	return name == p.name
}

// NewPolicy returns the policy for endpoint plus allow. An allow entry is a
// host ("us-storage.asm.skype.com") or a wildcard for every sub-domain
// ("*.asm.skype.com"); either matches whatever the port, unless it names one
// ("127.0.0.1:10900", "*.asm.skype.com:443"), which then restricts it: the
// emulator serves chunks at us-storage.asm.skype.com:10900.
func NewPolicy(endpoint *url.URL, allow []string) (*Policy, error) {
	if endpoint == nil || endpoint.Host == "" {
		return nil, errors.New("download: the endpoint has no host")
	}
	p := &Policy{endpointHost: normHost(endpoint), endpointScheme: strings.ToLower(endpoint.Scheme)}
	for _, a := range allow {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		hp, err := parseHostPattern(a)
		if err != nil {
			return nil, err
		}
		p.allow = append(p.allow, hp)
	}
	return p, nil
}

// EndpointHost is the endpoint's normalised host.
func (p *Policy) EndpointHost() string { return p.endpointHost }

// Allowed reports whether a normalised host (lower case, no default port) may
// be fetched from.
func (p *Policy) Allowed(host string) bool {
	host = strings.ToLower(host)
	if host == p.endpointHost {
		return true
	}
	name, port := host, ""
	if h, pt, err := net.SplitHostPort(host); err == nil {
		name, port = h, pt
	}
	for _, a := range p.allow {
		if a.match(name, port) {
			return true
		}
	}
	return false
}

// RefusedError is a location the policy refused. No request was sent.
type RefusedError struct {
	Location string
	Reason   string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("download: refused location %q: %s (no request sent)", clip(e.Location), e.Reason)
}

// Check parses a location and checks it may be fetched: an absolute http(s)
// URL (http only when the endpoint itself is http, as with the emulator)
// without user information, on an allowed host.
func (p *Policy) Check(location string) (*url.URL, error) {
	refuse := func(why string) (*url.URL, error) { return nil, &RefusedError{Location: location, Reason: why} }
	u, err := url.Parse(location)
	if err != nil {
		return refuse("not a URL")
	}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "https":
	case scheme == "http" && p.endpointScheme == "http":
	case scheme == "http":
		return refuse("plain http, but the endpoint uses https")
	default:
		return refuse("not an http(s) URL")
	}
	if u.User != nil {
		return refuse("carries user information")
	}
	if u.Host == "" || u.Opaque != "" {
		return refuse("has no host")
	}
	if h := normHost(u); !p.Allowed(h) {
		return refuse(fmt.Sprintf("host %q is neither the endpoint's (%s) nor allowed (add it with --allow-hosts)", h, p.endpointHost))
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// normHost is u's host in lower case without the scheme's default port, as the
// signer compares hosts.
func normHost(u *url.URL) string {
	h := strings.ToLower(u.Host)
	switch strings.ToLower(u.Scheme) {
	case "https":
		h = strings.TrimSuffix(h, ":443")
	case "http":
		h = strings.TrimSuffix(h, ":80")
	}
	return h
}
