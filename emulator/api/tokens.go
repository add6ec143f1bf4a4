package api

// TokenFault is a way a token the emulator signs can be wrong.
type TokenFault string

// The token faults.
const (
	TokenFaultNone           TokenFault = ""
	TokenFaultExpired        TokenFault = "expired"         // exp in the past (and iat, nbf before it)
	TokenFaultWrongSignature TokenFault = "wrong-signature" // signed by a key not in the JWKS, with the published kid
	TokenFaultWrongAudience  TokenFault = "wrong-audience"  // aud names another resource
	TokenFaultMissing        TokenFault = "missing"         // no Authorization header at all
)

// TokenFaultRule makes the next Count tokens for Purpose ("callback",
// "delivery"; "": all) faulty (POST /_emulator/tokens/faults).
type TokenFaultRule struct {
	Fault   TokenFault `json:"fault"`
	Purpose string     `json:"for,omitempty"`
	// Count is how many tokens it spoils; 0 means until cleared.
	Count int `json:"count,omitempty"`
}
