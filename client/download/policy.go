package download

import (
	"errors"
	"fmt"
	"net/url"
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
	exact          map[string]bool
	suffixes       []string // from "*.example.com": ".example.com"
}

// NewPolicy returns the policy for endpoint plus allow. An allow entry is a
// host ("us-storage.asm.skype.com", "127.0.0.1:10900") or a wildcard for every
// sub-domain ("*.asm.skype.com", matching only the default port).
func NewPolicy(endpoint *url.URL, allow []string) (*Policy, error) {
	if endpoint == nil || endpoint.Host == "" {
		return nil, errors.New("download: the endpoint has no host")
	}
	p := &Policy{endpointHost: normHost(endpoint), endpointScheme: strings.ToLower(endpoint.Scheme), exact: map[string]bool{}}
	for _, a := range allow {
		a = strings.ToLower(strings.TrimSpace(a))
		switch {
		case a == "":
		case strings.HasPrefix(a, "*."):
			if strings.ContainsAny(a[2:], "*/:@") || len(a) < 4 || !strings.Contains(a[2:], ".") {
				return nil, fmt.Errorf("download: allowed host %q: a wildcard must look like *.example.com", a)
			}
			p.suffixes = append(p.suffixes, a[1:])
		case strings.ContainsAny(a, "*/@?#"):
			return nil, fmt.Errorf("download: allowed host %q must be a host[:port], not a URL or pattern", a)
		default:
			p.exact[a] = true
		}
	}
	return p, nil
}

// EndpointHost is the endpoint's normalised host.
func (p *Policy) EndpointHost() string { return p.endpointHost }

// Allowed reports whether a normalised host (lower case, no default port) may
// be fetched from.
func (p *Policy) Allowed(host string) bool {
	host = strings.ToLower(host)
	if host == p.endpointHost || p.exact[host] {
		return true
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s) && !strings.Contains(host, ":") {
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
