package emulator_test

import (
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/tokens"
)

// headerSink records the Authorization header of each request it gets.
func headerSink(t *testing.T) (string, <-chan string) {
	t.Helper()
	got := make(chan string, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if emulatortest.AnswerValidation(w, r, body) {
			return
		}
		got <- r.Header.Get("Authorization")
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

func nextHeader(t *testing.T, got <-chan string) string {
	t.Helper()
	select {
	case h := <-got:
		return h
	case <-time.After(10 * time.Second):
		t.Fatal("no request within 10s")
		return ""
	}
}

// startCallbackRecording starts a Call Automation recording whose state
// callbacks go to cbURL.
func startCallbackRecording(t *testing.T, srv *emulator.Server, cbURL string) {
	t.Helper()
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"callLocator":{"serverCallId":"c2VydmVyLWNhbGw","kind":"serverCallLocator"},"recordingStateCallbackUri":%q}`, cbURL)
	resp, err := signer.New(cs).Client().Post(srv.URL()+"/calling/recordings?api-version="+api.CallAutomationAPIVersion, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("start recording: %d", resp.StatusCode)
	}
}

// go-oidc, given only the emulator's URL, finds the discovery document and
// the keys, accepts a callback's token and refuses each token fault.
func TestCallbackTokensValidateWithGoOIDCThroughDiscovery(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	provider, err := oidc.NewProvider(t.Context(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: srv.ResourceImmutableID(), SupportedSigningAlgs: []string{oidc.RS256}})
	cbURL, got := headerSink(t)

	for _, tc := range []struct {
		fault   tokens.Fault
		wantErr string
	}{
		{tokens.FaultNone, ""},
		{tokens.FaultExpired, "expired"},
		{tokens.FaultWrongSignature, "signature"},
		{tokens.FaultWrongAudience, "audience"},
		{tokens.FaultMissing, "no bearer token"},
	} {
		t.Run(string(tc.fault)+"-", func(t *testing.T) {
			if tc.fault != tokens.FaultNone {
				if _, err := srv.Control().AddTokenFault(t.Context(), tokens.FaultRule{Fault: tc.fault, Purpose: tokens.ForCallback, Count: 1}); err != nil {
					t.Fatal(err)
				}
			}
			startCallbackRecording(t, srv, cbURL)
			auth := nextHeader(t, got)
			raw, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				if tc.wantErr == "no bearer token" {
					return
				}
				t.Fatalf("Authorization %q", auth)
			}
			tok, err := verifier.Verify(t.Context(), raw)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("a genuine callback token was refused: %v", err)
				}
				if tok.Issuer != srv.URL() || tok.Expiry.Sub(tok.IssuedAt) != tokens.Lifetime {
					t.Fatalf("claims: iss %s, lifetime %v", tok.Issuer, tok.Expiry.Sub(tok.IssuedAt))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("fault %s: err %v, want one mentioning %q", tc.fault, err, tc.wantErr)
			}
		})
	}
}

// The real discovery path (/calling/.well-known/acsopenidconfiguration) names
// the keys; each callback carries a fresh token.
func TestCallbackTokensAreFreshAndTheACSDiscoveryPathServes(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	resp, err := http.Get(srv.URL() + tokens.ACSConfigurationPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"jwks_uri":"`+srv.URL()+tokens.KeysPath+`"`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	cbURL, got := headerSink(t)
	startCallbackRecording(t, srv, cbURL)
	startCallbackRecording(t, srv, cbURL)
	if a, b := nextHeader(t, got), nextHeader(t, got); a == b || a == "" {
		t.Fatalf("two callbacks carried %q and %q", a, b)
	}
}

// A subscription with Entra ID delivery auth gets a bearer token for its
// application id; others get none.
func TestEntraDeliveryAuthSendsABearerToken(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	provider, err := oidc.NewProvider(t.Context(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	const app = "api://my-webhook"
	verifier := provider.Verifier(&oidc.Config{ClientID: app})
	hookURL, got := headerSink(t)
	ctl := srv.Control()
	if _, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "entra", EndpointURL: hookURL,
		AzureActiveDirectoryTenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", AzureActiveDirectoryApplicationIDOrURI: app}); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.CreateRecording(t.Context(), recordingSpecForEvents()); err != nil {
		t.Fatal(err)
	}
	auth := nextHeader(t, got)
	if _, err := verifier.Verify(t.Context(), strings.TrimPrefix(auth, "Bearer ")); err != nil {
		t.Fatalf("delivery token %q: %v", auth, err)
	}
	if _, err := ctl.AddTokenFault(t.Context(), tokens.FaultRule{Fault: tokens.FaultWrongAudience, Purpose: tokens.ForDelivery, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.CreateRecording(t.Context(), recordingSpecForEvents()); err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.Verify(t.Context(), strings.TrimPrefix(nextHeader(t, got), "Bearer ")); err == nil || !strings.Contains(err.Error(), "audience") {
		t.Fatalf("wrong-audience fault: %v", err)
	}
}

func recordingSpecForEvents() api.RecordingSpec {
	return api.RecordingSpec{Duration: api.Duration(time.Second)}
}
