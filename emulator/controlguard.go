package emulator

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/wire"
)

// controlGuard decides whether a request may reach the control plane. The
// control plane can read the journal, create subscriptions that make the
// emulator call any URL, and reset state, so it refuses what a browser page or
// a DNS-rebinding attack could send:
//
//   - a Host that is neither a loopback address nor a configured name
//     (a rebinding page reaches 127.0.0.1 under its own host name);
//   - a browser request from another origin (Origin or Sec-Fetch-Site);
//   - a state-changing request whose body is not JSON (a cross-origin
//     "simple" request can only send form or text bodies without a preflight);
//   - any request without the control token, when one is configured.
//
// It is applied once, where /_emulator/ is dispatched.
type controlGuard struct {
	// hosts are the extra host names (no port, lower case) allowed in Host;
	// "*" allows any.
	hosts map[string]bool
	// token, if set, must come as "Authorization: Bearer <token>".
	token string
}

// newControlGuard allows the loopback names plus the configured names and
// the hosts of the URLs the emulator hands out (public, storage, TLS names),
// which clients in a container network use to reach it.
func newControlGuard(opts Options) controlGuard {
	g := controlGuard{hosts: map[string]bool{}, token: opts.ControlToken}
	add := func(h string) {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			g.hosts[h] = true
		}
	}
	for _, h := range opts.AllowedHosts {
		add(h)
	}
	for _, h := range opts.TLSHosts {
		add(h)
	}
	for _, raw := range []string{opts.PublicURL, opts.StorageBaseURL} {
		if u, err := url.Parse(raw); err == nil && raw != "" {
			add(u.Hostname())
		}
	}
	if host, _, err := net.SplitHostPort(opts.Addr); err == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			add(host) // a concrete listen address is how clients name it
		}
	}
	return g
}

// controlContentTypes are the bodies a state-changing control call may
// carry: JSON (Event Grid events may come as CloudEvents JSON).
func isJSONContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// isUploadPath reports whether path (without the prefix) is a document upload,
// the one control call whose body is the raw media. application/octet-stream
// is not a CORS-safelisted type, so a browser still needs a preflight to send it.
func isUploadPath(method, path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return method == http.MethodPut && len(parts) == 2 && parts[0] == "documents"
}

// isValidationURL reports whether path is a subscription's validationUrl.
func isValidationURL(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return len(parts) == 3 && parts[0] == "subscriptions" && parts[2] == "validate"
}

// check returns nil when r may reach the control plane, or the refusal.
func (g controlGuard) check(r *http.Request) *wire.Error {
	if !g.hostAllowed(r.Host) {
		return &wire.Error{Status: http.StatusForbidden, Code: "HostNotAllowed",
			Message: "the control plane answers only requests addressed to a loopback address or a configured name (--allowed-hosts / ACSEMU_ALLOWED_HOSTS); Host " + quoteHost(r.Host) + " is neither (DNS rebinding protection)"}
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return &wire.Error{Status: http.StatusForbidden, Code: "CrossOriginRefused",
			Message: "the control plane refuses browser requests from another site (Sec-Fetch-Site: " + site + ")"}
	}
	if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
		return &wire.Error{Status: http.StatusForbidden, Code: "CrossOriginRefused",
			Message: "the control plane refuses browser requests from another origin (Origin: " + origin + ")"}
	}
	path := strings.TrimPrefix(r.URL.Path, api.Prefix)
	if isValidationURL(path) {
		// A webhook calls the validationUrl it was sent (GET, or POST for
		// CloudEvents, with whatever body); its ?code= is its credential.
		return nil
	}
	if g.token != "" && !g.tokenOK(r.Header.Get("Authorization")) && !g.cookieOK(r) && !g.signInRequest(r) {
		return &wire.Error{Status: http.StatusUnauthorized, Code: "Unauthorized",
			Message: "this emulator requires its control token: send Authorization: Bearer <token> (acsemu CLI: --control-token or ACSEMU_CONTROL_TOKEN; dashboard: open " + api.Prefix + "ui/?token=<token> once)",
			Header:  http.Header{"Www-Authenticate": {`Bearer realm="acsemu"`}}}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if isJSONContentType(ct) {
		return nil
	}
	if isUploadPath(r.Method, path) {
		if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/octet-stream" {
			return nil
		}
		return &wire.Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
			Message: "a document upload needs Content-Type: application/octet-stream (got " + quoteHost(ct) + ")"}
	}
	return &wire.Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
		Message: r.Method + " on the control plane needs Content-Type: application/json, even without a body (got " + quoteHost(ct) + "); this keeps browser pages from sending it without a CORS preflight"}
}

// tokenCookie carries the control token for the dashboard, whose page and
// event stream a browser cannot add an Authorization header to. It is set by
// signIn, HttpOnly (no script reads it) and SameSite=Strict (no other site's
// page sends it), and the Origin and Sec-Fetch-Site checks still apply.
const tokenCookie = "acsemu_control_token"

func (g controlGuard) cookieOK(r *http.Request) bool {
	c, err := r.Cookie(tokenCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(g.token)) == 1
}

// signIn answers GET ui/?token=T with the right token: it stores the token in
// the cookie and redirects to the same page without it, so the token leaves
// the address bar. It reports whether it answered.
func (g controlGuard) signIn(w http.ResponseWriter, r *http.Request) bool {
	if !g.signInRequest(r) {
		return false
	}
	q := r.URL.Query()
	http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: g.token, Path: api.Prefix,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	q.Del("token")
	to := *r.URL
	to.RawQuery = q.Encode()
	http.Redirect(w, r, to.RequestURI(), http.StatusSeeOther)
	return true
}

// signInRequest reports whether r is a dashboard GET with the right ?token=.
func (g controlGuard) signInRequest(r *http.Request) bool {
	q := r.URL.Query()
	return g.token != "" && r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, api.Prefix+"ui/") && q.Has("token") &&
		subtle.ConstantTimeCompare([]byte(q.Get("token")), []byte(g.token)) == 1
}

func (g controlGuard) tokenOK(authorization string) bool {
	scheme, tok, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(g.token)) == 1
}

func (g controlGuard) hostAllowed(hostport string) bool {
	if g.hosts["*"] {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	return host != "" && g.hosts[host]
}

// sameOrigin reports whether a browser's Origin names the host it sent the
// request to (a page served by the emulator itself; there is none today).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}

func quoteHost(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return `"` + s + `"`
}

// serveGuardedControl refuses what the guard refuses, then serves the control plane.
func (s *Server) serveGuardedControl(w http.ResponseWriter, r *http.Request) {
	if err := s.guard.check(r); err != nil {
		s.log.Warn("control plane: request refused", "method", r.Method, "path", r.URL.Path, "host", r.Host,
			"origin", r.Header.Get("Origin"), "remote", r.RemoteAddr, "code", err.Code)
		wire.Write(w, wire.ShapeControl, err, "")
		return
	}
	if s.guard.signIn(w, r) {
		return
	}
	s.control.ServeHTTP(w, r)
}

// isLoopbackAddr reports whether a listen address only accepts local connections.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
