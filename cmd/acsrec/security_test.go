package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/tokens"
)

// lockedBuffer collects serve's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func post(t *testing.T, url, body string, header ...string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var subscribeRE = regexp.MustCompile(`Subscribe Event Grid to:\s+(http://\S+)`)

// With no flags, serve generates a secret and prints the URL to subscribe;
// a forged event (as a web page would post it, or with no secret) queues nothing.
func TestServeByDefaultRefusesForgedEvents(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 5})
	rec := recording(t, srv, 1, 20_000)
	t.Setenv("ACSREC_CONNECTION_STRING", srv.ConnectionString())
	var logs lockedBuffer
	addr := startServeLogging(t, &logs, "--out", t.TempDir())
	m := subscribeRE.FindStringSubmatch(logs.String())
	if m == nil || !strings.HasPrefix(m[1], "http://"+addr+"/?code=") {
		t.Fatalf("serve did not print the URL to subscribe:\n%s", logs.String())
	}
	subscribeURL := m[1]
	event := fmt.Sprintf(`[{"id":"e1","subject":"s","eventType":"Microsoft.Communication.RecordingFileStatusUpdated","dataVersion":"1.0","data":%s}]`, eventData(rec))
	for _, tc := range []struct {
		name, url string
		header    []string
		want      int
	}{
		{"cross-origin text/plain without the secret", "http://" + addr + "/", []string{"Content-Type", "text/plain", "Origin", "https://attacker.example"}, 401},
		{"JSON without the secret", "http://" + addr + "/", []string{"Content-Type", "application/json", "aeg-event-type", "Notification"}, 401},
		{"cross-origin text/plain with the secret", subscribeURL, []string{"Content-Type", "text/plain"}, 415},
		{"no aeg-event-type", subscribeURL, []string{"Content-Type", "application/json"}, 400},
	} {
		if got := post(t, tc.url, event, tc.header...); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := health(t, addr); len(n) != 0 && n["pending"]+n["done"]+n["failed"] != 0 {
		t.Fatalf("forged events queued jobs: %v", n)
	}
	// The printed URL is what Event Grid needs.
	sub, err := srv.Control().CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "acsrec", EndpointURL: subscribeURL})
	if err != nil || sub.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("subscribing with the printed URL: %+v %v", sub, err)
	}
}

// Entra ID delivery auth: serve with --oidc-issuer (the emulator) accepts the
// subscription whose deliveries carry the emulator's token, and refuses one
// without.
func TestServeChecksEntraDeliveryTokens(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 5})
	t.Setenv("ACSREC_CONNECTION_STRING", srv.ConnectionString())
	addr := startServeLogging(t, &lockedBuffer{}, "--out", t.TempDir(), "--oidc-issuer", srv.URL(), "--oidc-audience", "api://acsrec")
	ctl := srv.Control()
	ok, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "entra", EndpointURL: "http://" + addr + "/",
		AzureActiveDirectoryTenantID: "t", AzureActiveDirectoryApplicationIDOrURI: "api://acsrec"})
	if err != nil || ok.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("with the token: %+v %v", ok, err)
	}
	for _, spec := range []eventgrid.SubscriptionSpec{
		{Name: "no-token", EndpointURL: "http://" + addr + "/"},
		{Name: "other-app", EndpointURL: "http://" + addr + "/", AzureActiveDirectoryTenantID: "t", AzureActiveDirectoryApplicationIDOrURI: "api://other"},
	} {
		sub, err := ctl.CreateSubscription(t.Context(), spec)
		if err != nil || sub.ProvisioningState != eventgrid.StateFailed || !strings.Contains(sub.FailureReason, "401") {
			t.Errorf("%s: %+v %v", spec.Name, sub, err)
		}
	}
}

// Call Automation callbacks on /callbacks: the emulator's signed callback is
// accepted, a wrongly signed one refused.
func TestServeValidatesCallbackJWTs(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 5})
	t.Setenv("ACSREC_CONNECTION_STRING", srv.ConnectionString())
	addr := startServeLogging(t, &lockedBuffer{}, "--out", t.TempDir(), "--callback-audience", srv.ResourceImmutableID())
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	hc := signer.New(cs).Client()
	n := 0
	callback := func() int {
		// Each call's callbacks carry their own query, so a late retry of an
		// earlier one is never mistaken for this one.
		n++
		query := fmt.Sprintf("n=%d", n)
		body := fmt.Sprintf(`{"callLocator":{"serverCallId":"c2VydmVyLWNhbGw","kind":"serverCallLocator"},"recordingStateCallbackUri":%q}`, "http://"+addr+"/callbacks?"+query)
		resp, err := hc.Post(srv.URL()+"/calling/recordings?api-version="+api.CallAutomationAPIVersion, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var got []journal.Entry
		waitFor(t, "the callback", func() bool {
			got = got[:0]
			for _, e := range srv.Journal().Query(journal.Filter{Plane: calling.PlaneCallback}) {
				if e.Query == query {
					got = append(got, e)
				}
			}
			return len(got) > 0
		})
		// Reset stops the retries of a refused callback (the next would wait for them).
		if err := srv.Control().Reset(context.Background()); err != nil {
			t.Fatal(err)
		}
		return got[0].Status
	}
	if st := callback(); st != http.StatusOK {
		t.Fatalf("genuine callback: %d", st)
	}
	for _, f := range []tokens.Fault{tokens.FaultWrongSignature, tokens.FaultExpired, tokens.FaultWrongAudience, tokens.FaultMissing} {
		if _, err := srv.Control().AddTokenFault(context.Background(), tokens.FaultRule{Fault: f, Purpose: tokens.ForCallback, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if st := callback(); st != http.StatusUnauthorized {
			t.Errorf("callback with a %s token: %d, want 401", f, st)
		}
	}
}
