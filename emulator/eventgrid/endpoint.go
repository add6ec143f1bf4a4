package eventgrid

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/acsemu/acsemu/emulator/wire"
)

// maskedValue replaces each query value of an endpoint URL in what the
// control plane shows: query strings carry shared secrets (?code=).
const maskedValue = "***"

// maskEndpoint is raw with every query value replaced by maskedValue (names
// kept, so a reader still sees that ?code= is there). Like Azure, which
// returns only endpointBaseUrl and needs getFullUrl for the rest, the full
// URL stays inside the process (Engine.SubscriptionEndpoint).
func maskEndpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	var parts []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		parts = append(parts, k+"="+maskedValue)
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String()
}

// SubscriptionEndpoint returns the full endpoint URL of a subscription, query
// secrets included, for in-process tests; the control plane shows it masked.
func (e *Engine) SubscriptionEndpoint(name string) (string, error) {
	s, err := e.lookup(name)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spec.EndpointURL, nil
}

// keepMaskedEndpoint lets an update send back the endpoint as the listing
// showed it (masked): the stored URL, secrets included, stays.
func keepMaskedEndpoint(spec *SubscriptionSpec, prev *SubscriptionSpec) {
	if prev != nil && spec.EndpointURL != prev.EndpointURL && spec.EndpointURL == maskEndpoint(prev.EndpointURL) {
		spec.EndpointURL = prev.EndpointURL
	}
}

// checkEndpointAllowed refuses an endpoint whose host is not on the
// allow-list (when there is one). Patterns are "host", "host:port" or
// "*.domain"; an empty list allows any endpoint.
func checkEndpointAllowed(allow []string, endpoint string) error {
	if len(allow) == 0 {
		return nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return invalid("endpointUrl", "not a URL: %v", err)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, p := range allow {
		p = strings.ToLower(strings.TrimSpace(p))
		ph, pp, err := net.SplitHostPort(p)
		if err != nil {
			ph, pp = p, ""
		}
		if pp != "" && pp != port {
			continue
		}
		if ph == host || strings.HasPrefix(ph, "*.") && strings.HasSuffix(host, ph[1:]) {
			return nil
		}
	}
	return &wire.Error{Status: http.StatusBadRequest, Code: "InvalidSubscriptionSetting", Target: "endpointUrl",
		Message: "endpointUrl: the host " + u.Host + " is not on this emulator's webhook allow-list (--webhook-allow / ACSEMU_WEBHOOK_ALLOW)"}
}

// transportReason describes a failed request as Event Grid would: by its
// outcome, never by the operating system's error text. "connection refused"
// against "timed out" against "no such host" would turn the emulator into a
// port scanner for whoever can create subscriptions.
func transportReason(err error) string {
	if o := errorOutcome(err); o != OutcomeTimedOut {
		return "the endpoint could not be reached (" + o + ")"
	}
	return "the request timed out (" + OutcomeTimedOut + ")"
}

// authorize adds the Entra-style bearer token of spec to req, when spec asks
// for delivery auth.
func (e *Engine) authorize(req *http.Request, spec SubscriptionSpec) error {
	if spec.AzureActiveDirectoryApplicationIDOrURI == "" || e.opts.Authorize == nil {
		return nil
	}
	v, err := e.opts.Authorize(spec.AzureActiveDirectoryApplicationIDOrURI)
	if err != nil {
		return err
	}
	if v != "" {
		req.Header.Set("Authorization", v)
	}
	return nil
}
