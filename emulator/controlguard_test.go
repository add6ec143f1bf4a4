package emulator_test

import (
	"bytes"
	"github.com/acsemu/acsemu/emulator/api"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
)

// controlCall sends one raw request to the control plane and returns the
// status and body.
func controlCall(t *testing.T, srv *emulator.Server, method, path string, body string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+api.Prefix+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if h := header.Get("Host"); h != "" {
		req.Host = h
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Each attack a web page or a rebinding host name could mount on the control
// plane is refused, and the refused reset changes nothing.
func TestControlPlaneRefusesBrowserAndRebindingRequests(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{AllowedHosts: []string{"acsemu"}})
	if _, err := srv.Control().CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true}); err != nil {
		t.Fatal(err)
	}
	jsonCT := "application/json"
	cases := []struct {
		name         string
		method, path string
		header       http.Header
		want         int
	}{
		{"rebinding host reads config", "GET", "config", http.Header{"Host": {"attacker.example:10900"}}, 403},
		{"rebinding host resets", "POST", "reset", http.Header{"Host": {"attacker.example"}, "Content-Type": {jsonCT}}, 403},
		{"cross-origin reset", "POST", "reset", http.Header{"Origin": {"https://attacker.example"}, "Content-Type": {jsonCT}}, 403},
		{"cross-origin journal read", "GET", "requests", http.Header{"Origin": {"https://attacker.example"}}, 403},
		{"cross-site fetch metadata", "GET", "config", http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403},
		{"form-encoded reset", "POST", "reset", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, 415},
		{"text/plain reset", "POST", "reset", http.Header{"Content-Type": {"text/plain"}}, 415},
		{"reset without a content type", "POST", "reset", nil, 415},
		{"upload as text/plain", "PUT", "documents/x", http.Header{"Content-Type": {"text/plain"}}, 415},
		// Allowed: loopback names, configured names, same-origin and direct calls.
		{"localhost", "GET", "config", http.Header{"Host": {"localhost:1"}}, 200},
		{"ipv6 loopback", "GET", "config", http.Header{"Host": {"[::1]:1"}}, 200},
		{"configured name", "GET", "config", http.Header{"Host": {"ACSEMU:10900"}}, 200},
		{"user typed the URL", "GET", "config", http.Header{"Sec-Fetch-Site": {"none"}}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, body := controlCall(t, srv, tc.method, tc.path, "", tc.header); got != tc.want {
				t.Fatalf("status %d, want %d: %s", got, tc.want, body)
			}
		})
	}
	if n := len(srv.Recordings().Recordings()); n != 1 {
		t.Fatalf("a refused reset changed the state: %d recordings left, want 1", n)
	}
}

func TestControlTokenIsRequiredWhenSet(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{ControlToken: "s3cret"})
	if got, body := controlCall(t, srv, "GET", "config", "", nil); got != 401 || !strings.Contains(body, "control token") {
		t.Fatalf("without the token: %d %s", got, body)
	}
	if got, _ := controlCall(t, srv, "GET", "config", "", http.Header{"Authorization": {"Bearer wrong"}}); got != 401 {
		t.Fatalf("with a wrong token: %d", got)
	}
	if got, _ := controlCall(t, srv, "GET", "health", "", http.Header{"Authorization": {"Bearer s3cret"}}); got != 200 {
		t.Fatalf("with the token: %d", got)
	}
	// A webhook calling its validationUrl has no token: the code is its credential.
	if got, body := controlCall(t, srv, "POST", "subscriptions/none/validate?code=x", "", nil); got != 404 {
		t.Fatalf("validationUrl without the token: %d %s, want the engine's 404", got, body)
	}
	// The typed client sends it.
	if _, err := srv.Control().CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true}); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a log sink safe for the emulator's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServingBeyondLoopbackWithoutATokenWarns(t *testing.T) {
	for _, tc := range []struct {
		addr, token string
		warn        bool
	}{{"0.0.0.0:0", "", true}, {"0.0.0.0:0", "t", false}, {"127.0.0.1:0", "", false}} {
		var logs syncBuffer
		srv := emulatortest.Start(t, emulator.Options{Addr: tc.addr, ControlToken: tc.token, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		_ = srv
		if got := strings.Contains(logs.String(), "without a control token"); got != tc.warn {
			t.Errorf("%s token %q: warned %v, want %v:\n%s", tc.addr, tc.token, got, tc.warn, logs.String())
		}
	}
}

func TestConfigNeverShowsACustomKey(t *testing.T) {
	dev := emulatortest.Start(t, emulator.Options{})
	if _, body := controlCall(t, dev, "GET", "config", "", nil); !strings.Contains(body, emulator.DevAccessKeyBase64) {
		t.Fatalf("the public development key may be shown: %s", body)
	}
	custom := emulatortest.Start(t, emulator.Options{AccessKey: []byte("a custom, secret key")})
	_, body := controlCall(t, custom, "GET", "config", "", nil)
	if strings.Contains(body, "YSBjdXN0b20sIHNlY3JldCBrZXk=") || strings.Contains(body, "accesskey") || !strings.Contains(body, `"customAccessKey": true`) {
		t.Fatalf("config with a custom key: %s", body)
	}
}

// The journal over the control plane holds a fingerprint of each signature,
// which does not replay; the Go API keeps the full value.
func TestJournalFingerprintsAuthorization(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	d, _ := smallDoc(t, srv, time.Second)
	signed := signedClient(t, srv)
	resp, _ := get(t, signed, d.ContentLocation, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("download: %d", resp.StatusCode)
	}
	var entries []journal.Entry
	for len(entries) == 0 {
		changed := srv.Journal().Changed()
		if entries = srv.Journal().Query(journal.Filter{Plane: journal.PlaneData}); len(entries) == 0 {
			select {
			case <-changed:
			case <-time.After(10 * time.Second):
				t.Fatal("the download was never journaled")
			}
		}
	}
	raw := entries[len(entries)-1].RawAuthorization
	_, sig, ok := strings.Cut(raw, "Signature=")
	if !ok {
		t.Fatalf("raw Authorization %q", raw)
	}
	listed, err := srv.Control().Requests(t.Context(), api.RequestFilter{Plane: "data", Limit: 1})
	if err != nil || len(listed) != 1 {
		t.Fatalf("journal: %+v %v", listed, err)
	}
	shown := listed[0].Header.Get("Authorization")
	if strings.Contains(shown, sig) || !strings.Contains(shown, "Signature=fp:") || !strings.Contains(shown, "SignedHeaders=") {
		t.Fatalf("journaled Authorization %q still carries the signature %q", shown, sig)
	}
	// Replaying what the journal shows fails.
	replay, _ := http.NewRequest(http.MethodGet, d.ContentLocation, nil)
	for k, v := range listed[0].Header {
		replay.Header[k] = v
	}
	res, err := http.DefaultClient.Do(replay)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("replaying the journaled headers: %d, want 401", res.StatusCode)
	}
}

func TestSubscriptionSecretsAreMaskedAndFailuresDoNotScanPorts(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	hook := emulatortest.NewWebhook(t)
	ctl := srv.Control()
	if _, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "s", EndpointURL: hook.URL + "?code=topsecret"}); err != nil {
		t.Fatal(err)
	}
	list, err := ctl.Subscriptions(t.Context())
	if err != nil || len(list) != 1 || strings.Contains(list[0].EndpointURL, "topsecret") || !strings.Contains(list[0].EndpointURL, "code=***") {
		t.Fatalf("listing: %+v %v", list, err)
	}
	if full, err := srv.Events().SubscriptionEndpoint("s"); err != nil || full != hook.URL+"?code=topsecret" {
		t.Fatalf("Go API endpoint %q %v", full, err)
	}
	// Sending back the masked URL (as read) keeps the secret.
	spec := list[0].SubscriptionSpec
	if _, err := ctl.UpdateSubscription(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	if full, _ := srv.Events().SubscriptionEndpoint("s"); full != hook.URL+"?code=topsecret" {
		t.Fatalf("after an update with the masked URL: %q", full)
	}

	// A closed port: the reason does not say "connection refused".
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	sub, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "closed", EndpointURL: closedURL})
	if err != nil || sub.ProvisioningState != eventgrid.StateFailed {
		t.Fatalf("%+v %v", sub, err)
	}
	if strings.Contains(sub.FailureReason, "refused") || strings.Contains(sub.FailureReason, "dial") || !strings.Contains(sub.FailureReason, "SocketError") {
		t.Fatalf("failure reason reveals the transport error: %q", sub.FailureReason)
	}
}

func TestWebhookAllowList(t *testing.T) {
	hook := emulatortest.NewWebhook(t)
	srv := emulatortest.Start(t, emulator.Options{WebhookAllowList: []string{"hooks.example", "127.0.0.1:" + portOf(t, hook.URL)}})
	ctl := srv.Control()
	if _, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "ok", EndpointURL: hook.URL}); err != nil {
		t.Fatalf("allowed endpoint: %v", err)
	}
	_, err := ctl.CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "metadata", EndpointURL: "http://169.254.169.254/latest"})
	if err == nil || !strings.Contains(err.Error(), "allow-list") {
		t.Fatalf("endpoint outside the allow-list: %v", err)
	}
}

func portOf(t *testing.T, raw string) string {
	t.Helper()
	u := mustURL(t, raw)
	return u.Port()
}
