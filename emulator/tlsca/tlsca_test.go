package tlsca

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"
)

func TestServerCertificateVerifiesForEveryHost(t *testing.T) {
	now := time.Now()
	a, err := New(now, 24*time.Hour, []string{"us-storage.asm.skype.com", "10.1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(a.Server.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "us-storage.asm.skype.com", "10.1.2.3"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: a.Pool, CurrentTime: now}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "evil.example", Roots: a.Pool, CurrentTime: now}); err == nil {
		t.Error("certificate must not verify for a host it was not made for")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(a.CAPEM) {
		t.Fatal("CAPEM does not parse")
	}
	_ = tls.Config{Certificates: []tls.Certificate{a.Server}}
}
