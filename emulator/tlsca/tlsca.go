// Package tlsca makes the emulator's local certificate authority and its
// server certificate, so clients that insist on HTTPS (the Java SDK refuses
// http://, the JS SDK downloads only from https hosts ending in .asm.skype.com)
// can talk to the emulator after trusting one CA file.
//
// By default the CA is fresh for every emulator start. Load keeps one in a
// directory instead (like mkcert's CAROOT): written on first use, reused
// afterwards, so an app that reads its CA file only when it starts
// (NODE_EXTRA_CA_CERTS) can start before the emulator. The server certificate
// is always issued anew, for the host names of this start. Certificates are
// not part of the deterministic output (same seed, same bytes).
package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Authority is a CA with a server certificate it signed.
type Authority struct {
	// CAPEM is the CA certificate in PEM form, for clients to trust.
	CAPEM []byte
	// Pool holds the CA, ready for a tls.Config's RootCAs.
	Pool *x509.CertPool
	// Server is the server certificate and key.
	Server tls.Certificate
}

// DefaultHosts are always in the server certificate.
var DefaultHosts = []string{"localhost", "127.0.0.1", "::1"}

// CA is a certificate authority able to issue server certificates.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the CA certificate in PEM form, for clients to trust.
	PEM []byte
}

// NewCA makes a CA valid from now-1h to now+validFor.
func NewCA(now time.Time, validFor time.Duration) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tlsca: CA key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "acsemu local development CA", Organization: []string{"acsemu"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validFor),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("tlsca: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("tlsca: parse CA: %w", err)
	}
	return &CA{cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// newSerial is a random 128-bit serial number: browsers refuse two different
// certificates with the same issuer and serial, and the CA outlives a start.
func newSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("tlsca: serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// New makes a fresh CA valid from now-1h to now+validFor and a server
// certificate whose SANs are DefaultHosts plus extraHosts.
func New(now time.Time, validFor time.Duration, extraHosts []string) (*Authority, error) {
	ca, err := NewCA(now, validFor)
	if err != nil {
		return nil, err
	}
	return ca.Issue(now, validFor, extraHosts)
}

// Issue makes a server certificate valid from now-1h to now+validFor (never
// past the CA's own end) whose SANs are DefaultHosts plus extraHosts (names
// or IP addresses).
func (ca *CA) Issue(now time.Time, validFor time.Duration, extraHosts []string) (*Authority, error) {
	notBefore, notAfter := now.Add(-time.Hour), now.Add(validFor)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	if !now.Before(ca.cert.NotAfter) {
		return nil, fmt.Errorf("tlsca: the CA expired on %s: delete it to make a new one", ca.cert.NotAfter.Format(time.DateOnly))
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tlsca: server key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "acsemu", Organization: []string{"acsemu"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	seen := map[string]bool{}
	for _, h := range append(append([]string{}, DefaultHosts...), extraHosts...) {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			leafTmpl.IPAddresses = append(leafTmpl.IPAddresses, ip)
		} else {
			leafTmpl.DNSNames = append(leafTmpl.DNSNames, h)
		}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca.cert, &leafKey.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("tlsca: server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return &Authority{
		CAPEM:  ca.PEM,
		Pool:   pool,
		Server: tls.Certificate{Certificate: [][]byte{leafDER, ca.cert.Raw}, PrivateKey: leafKey},
	}, nil
}
