package emulator

import (
	"net/http"
	"strings"

	"github.com/acsemu/acsemu/emulator/tokens"
	"github.com/acsemu/acsemu/emulator/wire"
)

// ResourceImmutableID is the emulated ACS resource's immutable id, the GUID
// the portal shows and the audience of Call Automation callback tokens: the
// ResourceID without the emulator's "acsemu-" prefix.
func (s *Server) ResourceImmutableID() string {
	return strings.TrimPrefix(s.opts.ResourceID, "acsemu-")
}

// Tokens is the token issuer (callback and Entra-style delivery tokens, their
// faults, the discovery documents).
func (s *Server) Tokens() *tokens.Issuer { return s.tokens }

// callbackAuthorization signs one Call Automation callback.
func (s *Server) callbackAuthorization() (string, error) {
	v, _, err := s.tokens.Authorization(tokens.ForCallback, s.ResourceImmutableID())
	return v, err
}

// deliveryAuthorization signs one Event Grid delivery with Entra ID auth.
func (s *Server) deliveryAuthorization(audience string) (string, error) {
	v, _, err := s.tokens.Authorization(tokens.ForDelivery, audience)
	return v, err
}

// serveDiscovery answers the OpenID configuration and the JWKS, which the
// real service serves without authentication, before the data plane's
// signature check. It reports whether it answered.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) bool {
	var body []byte
	var err error
	switch r.URL.Path {
	case tokens.ACSConfigurationPath, tokens.StandardConfigurationPath:
		body = s.tokens.OpenIDConfiguration()
	case tokens.KeysPath:
		body, err = s.tokens.JWKS()
	default:
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		wire.Write(w, wire.ShapeACS, &wire.Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: "use GET"}, "")
		return true
	}
	if err != nil {
		wire.Write(w, wire.ShapeACS, &wire.Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}, "")
		return true
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(body)
	return true
}

func (s *Server) tokenFaults(*http.Request) (any, error) { return s.tokens.FaultRules(), nil }

// addTokenFault adds {"fault":"expired|wrong-signature|wrong-audience|missing","for":"callback|delivery","count":N}.
func (s *Server) addTokenFault(r *http.Request) (any, error) {
	var rule tokens.FaultRule
	if err := decodeJSON(r, &rule, maxControlBody, "BadRequest"); err != nil {
		return nil, err
	}
	if err := s.tokens.AddFault(rule); err != nil {
		return nil, wire.Errorf(http.StatusBadRequest, "BadRequest", "%v", err)
	}
	return s.tokens.FaultRules(), nil
}

func (s *Server) clearTokenFaults(*http.Request) (any, error) {
	s.tokens.ClearFaults()
	return nil, nil
}
