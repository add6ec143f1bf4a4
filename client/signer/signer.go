// Package signer signs the reference client's requests to Azure Communication
// Services (or to acsemu) with HMAC-SHA256, as the official SDKs do.
//
// Transport is an http.RoundTripper that adds the date, content-hash and
// Authorization headers to every request. It signs the documented variant: the
// Host header it sends (the URL's host without a default port, as the
// JavaScript SDK does) and the path and query exactly as they go on the wire.
// For recording downloads through the Call Automation API it can instead sign
// the ACS endpoint's host (ACSHost), as the Call Automation SDKs do.
//
// Because a signature is a credential for its host, Transport refuses to sign
// for hosts it was not told about, so a redirect or a content location pointing
// elsewhere cannot harvest one.
package signer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/internal/hmacsig"
)

// MaxBody bounds the request body the transport reads to hash.
const MaxBody = 64 << 20

// Transport signs requests and hands them to Base.
type Transport struct {
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Key is the decoded access key.
	Key []byte
	// Clock dates the requests; nil means the wall clock.
	Clock clock.Clock
	// UseDateHeader signs and sends Date instead of x-ms-date, the legacy
	// variant of the 2021 quickstart (the seed's C# sample).
	UseDateHeader bool
	// ACSHost, when set, is sent as x-ms-host and signed as the host, with the
	// path WITHOUT the query: how Call Automation SDKs sign recording downloads
	// that go to the storage host.
	ACSHost string
	// AllowedHosts says which destination hosts (lower case, without a default
	// port) may receive a signed request; others get an error and no request
	// is sent. Nil allows only the host of Endpoint.
	AllowedHosts func(host string) bool
	// Debug also sends the string-to-sign in hmacsig.DebugHeader, so acsemu can
	// name what differs when a signature fails.
	Debug bool
	// Endpoint is the endpoint the transport was made for (see New).
	Endpoint *url.URL

	// maxBody overrides MaxBody in tests.
	maxBody int64
}

// Option configures New.
type Option func(*Transport)

// WithBase sets Transport.Base.
func WithBase(rt http.RoundTripper) Option { return func(t *Transport) { t.Base = rt } }

// WithClock sets Transport.Clock.
func WithClock(c clock.Clock) Option { return func(t *Transport) { t.Clock = c } }

// WithDateHeader sets Transport.UseDateHeader.
func WithDateHeader() Option { return func(t *Transport) { t.UseDateHeader = true } }

// WithACSHost sets Transport.ACSHost.
func WithACSHost(host string) Option { return func(t *Transport) { t.ACSHost = host } }

// WithAllowedHosts sets Transport.AllowedHosts.
func WithAllowedHosts(f func(host string) bool) Option {
	return func(t *Transport) { t.AllowedHosts = f }
}

// WithDebug sets Transport.Debug.
func WithDebug() Option { return func(t *Transport) { t.Debug = true } }

// New returns a Transport for the resource cs names.
func New(cs ConnectionString, opts ...Option) *Transport {
	t := &Transport{Key: cs.AccessKey, Endpoint: cs.Endpoint}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Client returns an http.Client that signs with t.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// AllowHosts returns an AllowedHosts function accepting exactly hosts
// (compared case-insensitively; write default ports nowhere).
func AllowHosts(hosts ...string) func(string) bool {
	set := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		set[strings.ToLower(h)] = true
	}
	return func(h string) bool { return set[strings.ToLower(h)] }
}

// Signed is everything signing one request computes.
type Signed struct {
	// DateHeader is "x-ms-date", or "Date" with UseDateHeader.
	DateHeader   string
	Date         string
	Host         string // the host signed
	PathAndQuery string // the path and query signed
	ContentHash  string
	StringToSign string
	Signature    string
	// Authorization is the Authorization header value.
	Authorization string
	// XMSHost is the x-ms-host value to send ("" for none).
	XMSHost string
}

// Apply sets the signature headers on h; with debug it adds the
// string-to-sign header too.
func (s Signed) Apply(h http.Header, debug bool) {
	h.Set(s.DateHeader, s.Date)
	h.Set("X-Ms-Content-Sha256", s.ContentHash)
	h.Set("Authorization", s.Authorization)
	if s.XMSHost != "" {
		h.Set("X-Ms-Host", s.XMSHost)
	}
	if debug {
		h.Set(hmacsig.DebugHeader, hmacsig.EscapeStringToSign(s.StringToSign))
	}
}

// Sign computes the signature of req carrying body, without sending or
// changing anything. It refuses hosts AllowedHosts (or Endpoint) does not allow.
func (t *Transport) Sign(req *http.Request, body []byte) (Signed, error) {
	if len(t.Key) == 0 {
		return Signed{}, errors.New("signer: no access key")
	}
	if req.URL == nil {
		return Signed{}, errors.New("signer: request has no URL")
	}
	if err := t.checkHost(req.URL); err != nil {
		return Signed{}, err
	}
	c := t.Clock
	if c == nil {
		c = clock.Real{}
	}
	s := Signed{
		DateHeader:   "X-Ms-Date",
		Date:         c.Now().UTC().Format(http.TimeFormat),
		Host:         SignedHost(req),
		PathAndQuery: req.URL.RequestURI(),
		ContentHash:  hmacsig.ContentHash(body),
	}
	headers := []string{"x-ms-date", "host", "x-ms-content-sha256"}
	if t.UseDateHeader {
		s.DateHeader, headers[0] = "Date", "date"
	}
	if t.ACSHost != "" {
		s.Host, s.XMSHost, s.PathAndQuery = t.ACSHost, t.ACSHost, pathOnly(req.URL)
	}
	s.StringToSign = hmacsig.StringToSign(req.Method, s.PathAndQuery, s.Date, s.Host, s.ContentHash)
	s.Signature = hmacsig.Sign(t.Key, s.StringToSign)
	s.Authorization = hmacsig.Authorization(headers, s.Signature)
	return s, nil
}

// StringToSign is the string the documented variant signs for req with the
// given body and date; with acsHost set, the download variant signed for that
// host. It is what `acsrec sign` prints.
func StringToSign(req *http.Request, body []byte, date, acsHost string) string {
	host, pq := SignedHost(req), req.URL.RequestURI()
	if acsHost != "" {
		host, pq = acsHost, pathOnly(req.URL)
	}
	return hmacsig.StringToSign(req.Method, pq, date, host, hmacsig.ContentHash(body))
}

// SignedHost is the host the documented variant signs for req: the Host it
// will send (req.Host, else the URL's host) without the scheme's default port,
// as the JavaScript SDK signs `url.host`. RoundTrip sends exactly this Host.
func SignedHost(req *http.Request) string {
	h := req.Host
	if h == "" {
		h = req.URL.Host
	}
	return stripDefaultPort(h, req.URL.Scheme)
}

func pathOnly(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

func stripDefaultPort(h, scheme string) string {
	switch {
	case strings.EqualFold(scheme, "https") && strings.HasSuffix(h, ":443"):
		return strings.TrimSuffix(h, ":443")
	case strings.EqualFold(scheme, "http") && strings.HasSuffix(h, ":80"):
		return strings.TrimSuffix(h, ":80")
	}
	return h
}

// destination is the normalised host a request connects to.
func destination(u *url.URL) string {
	return strings.ToLower(stripDefaultPort(u.Host, u.Scheme))
}

func (t *Transport) checkHost(u *url.URL) error {
	dest := destination(u)
	if t.AllowedHosts != nil {
		if !t.AllowedHosts(dest) {
			return fmt.Errorf("signer: refusing to sign a request for host %q: AllowedHosts does not allow it", dest)
		}
		return nil
	}
	if t.Endpoint == nil {
		return fmt.Errorf("signer: refusing to sign a request for host %q: no AllowedHosts and no Endpoint (build the Transport with New)", dest)
	}
	if want := destination(t.Endpoint); dest != want {
		return fmt.Errorf("signer: refusing to sign a request for host %q: the transport signs only for its endpoint %q (set AllowedHosts for others)", dest, want)
	}
	return nil
}

// RoundTrip signs a clone of req and sends it through Base. The body is read
// (at most MaxBody bytes) to hash it and replayed to Base.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := t.readBody(req)
	if err != nil {
		return nil, err
	}
	s, err := t.Sign(req, body)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	if t.ACSHost == "" {
		// Send the Host that was signed: Go would otherwise send an explicit
		// default port (":443") that the signature does not cover.
		out.Host = s.Host
	}
	s.Apply(out.Header, t.Debug)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}

// readBody reads and closes req.Body; RoundTrip must close it even on errors.
func (t *Transport) readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	limit := t.maxBody
	if limit <= 0 {
		limit = MaxBody
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("signer: reading the body to hash it: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("signer: request body is larger than %d bytes, too large to hash in memory", limit)
	}
	return b, nil
}
