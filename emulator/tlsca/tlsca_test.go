package tlsca

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

func TestLoadKeepsTheCAInItsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	now := time.Now()
	first, created, err := Load(dir, now)
	if err != nil || !created {
		t.Fatalf("first Load: created %v, %v", created, err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want mode 0600", info, err)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil || !bytes.Equal(onDisk, first.PEM) {
		t.Fatalf("%s differs from the CA: %v", CertFile, err)
	}
	again, created, err := Load(dir, now.Add(time.Hour))
	if err != nil || created || !bytes.Equal(again.PEM, first.PEM) {
		t.Fatalf("second Load: created %v, %v; the CA must be reused", created, err)
	}
	// A server certificate issued by the reloaded CA verifies with the CA
	// file written at the first start: what an app read at its own start.
	a, err := again.Issue(now, 24*time.Hour, []string{"us-storage.asm.skype.com"})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(onDisk)
	leaf, _ := x509.ParseCertificate(a.Server.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "us-storage.asm.skype.com", Roots: pool, CurrentTime: now}); err != nil {
		t.Errorf("server certificate of the reused CA: %v", err)
	}
	if !leaf.NotAfter.After(now.Add(23 * time.Hour)) {
		t.Errorf("server certificate ends %s", leaf.NotAfter)
	}
}

func TestLoadAgreesOnOneCAUnderConcurrentStarts(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	pems := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range pems {
		wg.Go(func() {
			ca, _, err := Load(dir, time.Now())
			if err == nil {
				pems[i] = ca.PEM
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range pems {
		if errs[i] != nil || !bytes.Equal(pems[i], pems[0]) {
			t.Fatalf("start %d: %v; every start must get the same CA", i, errs[i])
		}
	}
	if _, err := read(dir); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRefusesAForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	a, _ := NewCA(time.Now(), time.Hour)
	b, _ := NewCA(time.Now(), time.Hour)
	keyDER, _ := x509.MarshalECPrivateKey(b.key)
	os.WriteFile(filepath.Join(dir, CertFile), a.PEM, 0o644)
	os.WriteFile(filepath.Join(dir, KeyFile), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	if _, _, err := Load(dir, time.Now()); err == nil || !strings.Contains(err.Error(), "are not a CA and its key") {
		t.Errorf("mismatched key: %v", err)
	}
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("junk"), 0o600)
	if _, _, err := Load(dir, time.Now()); err == nil || !strings.Contains(err.Error(), "does not hold a PEM") {
		t.Errorf("junk key: %v", err)
	}
	if _, err := a.Issue(time.Now().Add(2*time.Hour), time.Hour, nil); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired CA: %v", err)
	}
}
