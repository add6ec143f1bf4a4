package emulator_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// TestTLSWithAStorageHostName serves HTTPS, hands out the CA through the
// control plane, and serves a download whose contentLocation uses a
// storage-like host name (as the JS SDK insists on), signed with x-ms-host.
func TestTLSWithAStorageHostName(t *testing.T) {
	const storageHost = "us-storage.asm.skype.com"
	srv := emulatortest.Start(t, emulator.Options{TLS: true, TLSHosts: []string{storageHost}})
	_, port, _ := net.SplitHostPort(mustURL(t, srv.URL()).Host)

	// Fetch the CA once without verification, then trust only it.
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	bootstrap, err := control.NewClient(srv.URL(), insecure)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := bootstrap.CACertificate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the control plane's CA does not parse")
	}
	tr := trustingTransport(pool, storageHost)
	ctl, err := control.NewClient(srv.URL(), &http.Client{Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ctl.CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	d := rec.Documents[0]
	loc, _ := url.Parse(d.ContentLocation)
	loc.Host = net.JoinHostPort(storageHost, port)

	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	c := signer.New(cs, signer.WithBase(tr), signer.WithACSHost(cs.Endpoint.Host),
		signer.WithAllowedHosts(signer.AllowHosts(loc.Host))).Client()
	before := srv.Journal().LastID()
	resp, body := get(t, c, loc.String(), nil)
	if resp.StatusCode != http.StatusOK || sum(body) != d.SHA256 || resp.TLS == nil {
		t.Fatalf("https download from %s: %d, sha %s want %s", loc.Host, resp.StatusCode, sum(body), d.SHA256)
	}
	// The entry is written as the answer ends, a moment after the client has the body.
	es, err := ctl.WaitRequests(t.Context(), api.RequestFilter{Plane: "data", AfterID: before}, 1, 10*time.Second)
	if err != nil || len(es) != 1 || es[0].Auth == nil || es[0].Auth.Variant != "x-ms-host" {
		t.Fatalf("journal: %+v %v", es, err)
	}
}

// TestPersistentCAAndOneStorageHostFlag: with CADir the CA written at the
// first start is the one a client trusted before the second start; with
// StorageHost alone the locations carry that name with the listener's scheme
// and port, and the certificate covers it.
func TestPersistentCAAndOneStorageHostFlag(t *testing.T) {
	const storageHost = "us-storage.asm.skype.com"
	dir := filepath.Join(t.TempDir(), "ca")
	first := emulatortest.Start(t, emulator.Options{TLS: true, CADir: dir})
	trusted, err := os.ReadFile(first.CAFile())
	if err != nil || first.CAFile() != filepath.Join(dir, "ca.pem") {
		t.Fatalf("CA file %q: %v", first.CAFile(), err)
	}
	first.Close()

	srv := emulatortest.Start(t, emulator.Options{TLS: true, CADir: dir, StorageHost: storageHost})
	_, port, _ := net.SplitHostPort(mustURL(t, srv.URL()).Host)
	if want := "https://" + storageHost + ":" + port; srv.StorageBaseURL() != want {
		t.Fatalf("StorageBaseURL = %q, want %q", srv.StorageBaseURL(), want)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(trusted) // read before this emulator started
	tr := trustingTransport(pool, storageHost)
	ctl, err := control.NewClient(srv.URL(), &http.Client{Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ctl.CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	d := rec.Documents[0]
	if !strings.HasPrefix(d.ContentLocation, srv.StorageBaseURL()+"/") {
		t.Fatalf("contentLocation %q does not use the storage host", d.ContentLocation)
	}
	cs, _ := signer.ParseConnectionString(srv.ConnectionString())
	c := signer.New(cs, signer.WithBase(tr), signer.WithAllowedHosts(signer.AllowHosts(storageHost+":"+port))).Client()
	resp, body := get(t, c, d.ContentLocation, nil)
	if resp.StatusCode != http.StatusOK || sum(body) != d.SHA256 {
		t.Fatalf("download from %s: %d", d.ContentLocation, resp.StatusCode)
	}
	if _, err := emulator.New(emulator.Options{StorageHost: "https://" + storageHost}); err == nil || !strings.Contains(err.Error(), "bare host name") {
		t.Errorf("a URL as StorageHost: %v", err)
	}
}

// trustingTransport trusts only pool and resolves storageHost to the
// emulator on loopback, as a hosts-file line would.
func trustingTransport(pool *x509.CertPool, storageHost string) *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, p, _ := net.SplitHostPort(addr); host == storageHost {
				addr = net.JoinHostPort("127.0.0.1", p)
			}
			return dialer.DialContext(ctx, network, addr)
		}}
}
