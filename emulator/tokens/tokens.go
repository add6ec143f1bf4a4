// Package tokens makes the emulator a token issuer, as Call Automation is for
// its callbacks (and Entra ID for Event Grid webhooks with AAD delivery auth):
// it signs short-lived RS256 JWTs with a key generated at start, and serves
// the OpenID configuration and the JWKS an application's OIDC library reads to
// check them. Faults make it hand out expired, wrongly signed, wrong-audience
// or no tokens, so that the application's rejection path is exercised too.
package tokens

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/acsemu/acsemu/clock"
)

// Lifetime is how long a token is valid: Call Automation documents 5 minutes.
const Lifetime = 5 * time.Minute

// The discovery paths, as the real Call Automation serves them
// (https://acscallautomation.communication.azure.com/calling/.well-known/acsopenidconfiguration
// and .../calling/keys), plus the standard OpenID path, so that a library
// given only the issuer (go-oidc's NewProvider, ASP.NET's Authority) finds it.
const (
	ACSConfigurationPath      = "/calling/.well-known/acsopenidconfiguration"
	StandardConfigurationPath = "/.well-known/openid-configuration"
	KeysPath                  = "/calling/keys"
)

// Fault is a way a token can be wrong (the wire type lives in package api).
type Fault = api.TokenFault

// The token faults.
const (
	FaultNone           = api.TokenFaultNone
	FaultExpired        = api.TokenFaultExpired
	FaultWrongSignature = api.TokenFaultWrongSignature
	FaultWrongAudience  = api.TokenFaultWrongAudience
	FaultMissing        = api.TokenFaultMissing
)

// Faults lists the valid faults.
var Faults = []Fault{FaultExpired, FaultWrongSignature, FaultWrongAudience, FaultMissing}

// ParseFault checks s.
func ParseFault(s string) (Fault, error) {
	for _, f := range Faults {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("token fault %q is not one of expired, wrong-signature, wrong-audience, missing", s)
}

// Purposes select which tokens a fault applies to.
const (
	ForCallback = "callback" // Call Automation callbacks
	ForDelivery = "delivery" // Event Grid deliveries with Entra ID auth
	ForAny      = ""
)

// FaultRule makes the next Count tokens for Purpose (ForAny: all) faulty.
type FaultRule = api.TokenFaultRule

// Issuer signs tokens. It is safe for concurrent use.
type Issuer struct {
	issuer func() string
	clock  clock.Clock

	keyOnce   sync.Once
	key       *rsa.PrivateKey
	kid       string
	keyErr    error
	rogueOnce sync.Once
	rogue     *rsa.PrivateKey
	rogueErr  error

	mu     sync.Mutex
	faults []FaultRule
}

// New returns an issuer; issuer returns the issuer URL (the emulator's
// public base URL). The signing key is generated once, when first needed
// (an RSA key costs a noticeable fraction of a second, and most emulators in
// tests never sign a token); it lives as long as the issuer.
func New(clk clock.Clock, issuer func() string) *Issuer {
	return &Issuer{issuer: issuer, clock: clk}
}

func (i *Issuer) signingKey() (*rsa.PrivateKey, string, error) {
	i.keyOnce.Do(func() {
		i.key, i.keyErr = rsa.GenerateKey(rand.Reader, 2048)
		if i.keyErr != nil {
			i.keyErr = fmt.Errorf("tokens: generate the signing key: %w", i.keyErr)
			return
		}
		thumb, err := (&jose.JSONWebKey{Key: i.key.Public()}).Thumbprint(crypto.SHA256)
		if err != nil {
			i.keyErr = fmt.Errorf("tokens: %w", err)
			return
		}
		i.kid = fmt.Sprintf("%x", thumb[:8])
	})
	return i.key, i.kid, i.keyErr
}

// rogueKey signs wrong-signature tokens: a key the JWKS never shows.
func (i *Issuer) rogueKey() (*rsa.PrivateKey, error) {
	i.rogueOnce.Do(func() { i.rogue, i.rogueErr = rsa.GenerateKey(rand.Reader, 2048) })
	return i.rogue, i.rogueErr
}

// IssuerURL is the iss of every token.
func (i *Issuer) IssuerURL() string { return strings.TrimRight(i.issuer(), "/") }

// AddFault installs a fault rule; rules apply in order.
func (i *Issuer) AddFault(r FaultRule) error {
	if _, err := ParseFault(string(r.Fault)); err != nil {
		return err
	}
	switch r.Purpose {
	case ForAny, ForCallback, ForDelivery:
	default:
		return fmt.Errorf("token fault for %q: want callback, delivery or nothing (both)", r.Purpose)
	}
	if r.Count < 0 {
		return fmt.Errorf("token fault count %d: want 0 (until cleared) or more", r.Count)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.faults = append(i.faults, r)
	return nil
}

// FaultRules returns the installed rules (counts as left).
func (i *Issuer) FaultRules() []FaultRule {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]FaultRule{}, i.faults...)
}

// ClearFaults removes every fault rule.
func (i *Issuer) ClearFaults() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.faults = nil
}

// takeFault consumes one use of the first rule for purpose.
func (i *Issuer) takeFault(purpose string) Fault {
	i.mu.Lock()
	defer i.mu.Unlock()
	for n, r := range i.faults {
		if r.Purpose != ForAny && r.Purpose != purpose {
			continue
		}
		if r.Count > 0 {
			i.faults[n].Count--
			if i.faults[n].Count == 0 {
				i.faults = append(i.faults[:n], i.faults[n+1:]...)
			}
		}
		return r.Fault
	}
	return FaultNone
}

// Authorization is the Authorization header value for one request to
// audience ("" when a fault says to send none), and the fault applied.
func (i *Issuer) Authorization(purpose, audience string) (string, Fault, error) {
	fault := i.takeFault(purpose)
	if fault == FaultMissing {
		return "", fault, nil
	}
	tok, err := i.Token(audience, fault)
	if err != nil {
		return "", fault, err
	}
	return "Bearer " + tok, fault, nil
}

// Token signs a fresh token for audience, spoiled by fault.
func (i *Issuer) Token(audience string, fault Fault) (string, error) {
	key, kid, err := i.signingKey()
	if err != nil {
		return "", err
	}
	now := i.clock.Now()
	switch fault {
	case FaultExpired:
		now = now.Add(-2 * Lifetime)
	case FaultWrongSignature:
		if key, err = i.rogueKey(); err != nil {
			return "", fmt.Errorf("tokens: generate the rogue key: %w", err)
		}
	case FaultWrongAudience:
		audience = "00000000-0000-0000-0000-00000000dead"
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return "", fmt.Errorf("tokens: %w", err)
	}
	claims := jwt.Claims{Issuer: i.IssuerURL(), Audience: jwt.Audience{audience}, IssuedAt: jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(Lifetime)), ID: randomID()}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// JWKS is the key set document served at KeysPath.
func (i *Issuer) JWKS() ([]byte, error) {
	key, kid, err := i.signingKey()
	if err != nil {
		return nil, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}}}
	return json.Marshal(set)
}

// OpenIDConfiguration is the discovery document served at both
// configuration paths.
func (i *Issuer) OpenIDConfiguration() []byte {
	b, _ := json.Marshal(map[string]any{
		"issuer":                                i.IssuerURL(),
		"jwks_uri":                              i.IssuerURL() + KeysPath,
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{},
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"claims_supported":                      []string{"iss", "aud", "exp", "iat", "nbf", "jti"},
	})
	return b
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return fmt.Sprintf("%x", b)
}
