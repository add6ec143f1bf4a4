package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// ACSCallbackIssuer is the issuer of the real Call Automation callback tokens.
const ACSCallbackIssuer = "https://acscallautomation.communication.azure.com"

// OIDCVerifier checks bearer tokens against an OpenID issuer with go-oidc:
// signature (keys from the issuer's discovery document, refreshed when a new
// key id appears), issuer, audience and expiry. Discovery happens at the first
// token, and is retried at the next one if it failed, so the webhook may start
// before the issuer answers (the emulator in the same compose file).
type OIDCVerifier struct {
	issuer, audience string
	hc               *http.Client
	now              func() time.Time
	// keysURL, if set, skips discovery (Call Automation's configuration is
	// not at the standard path).
	keysURL string

	mu sync.Mutex
	v  *oidc.IDTokenVerifier
}

// NewOIDCVerifier checks tokens issued by issuer for audience, finding the
// keys through issuer + "/.well-known/openid-configuration" (Entra ID, or the
// emulator). A nil hc means http.DefaultClient.
func NewOIDCVerifier(issuer, audience string, hc *http.Client) *OIDCVerifier {
	return &OIDCVerifier{issuer: strings.TrimRight(issuer, "/"), audience: audience, hc: hc, now: time.Now}
}

// NewCallbackVerifier checks Call Automation callback tokens: issuer is
// ACSCallbackIssuer (or the emulator's URL), audience the ACS resource's
// immutable id; the keys are at issuer + "/calling/keys", as the real
// configuration (/calling/.well-known/acsopenidconfiguration) says.
func NewCallbackVerifier(issuer, audience string, hc *http.Client) *OIDCVerifier {
	v := NewOIDCVerifier(issuer, audience, hc)
	v.keysURL = v.issuer + "/calling/keys"
	return v
}

// Verify implements TokenVerifier.
func (o *OIDCVerifier) Verify(ctx context.Context, raw string) error {
	v, err := o.verifier(ctx)
	if err != nil {
		return err
	}
	_, err = v.Verify(ctx, raw)
	return err
}

func (o *OIDCVerifier) verifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.v != nil {
		return o.v, nil
	}
	// The key set outlives this request: it fetches keys with its own context.
	keyCtx := context.Background()
	if o.hc != nil {
		keyCtx = oidc.ClientContext(keyCtx, o.hc)
		ctx = oidc.ClientContext(ctx, o.hc)
	}
	cfg := &oidc.Config{ClientID: o.audience, SupportedSigningAlgs: []string{oidc.RS256}, Now: o.now}
	if o.keysURL != "" {
		o.v = oidc.NewVerifier(o.issuer, oidc.NewRemoteKeySet(keyCtx, o.keysURL), cfg)
		return o.v, nil
	}
	p, err := oidc.NewProvider(ctx, o.issuer)
	if err != nil {
		return nil, fmt.Errorf("cannot read the issuer's discovery document: %w", err)
	}
	var meta struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKS == "" {
		return nil, fmt.Errorf("the issuer's discovery document has no jwks_uri")
	}
	o.v = oidc.NewVerifier(o.issuer, oidc.NewRemoteKeySet(keyCtx, meta.JWKS), cfg)
	return o.v, nil
}
