package tlsca

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The files of a CA directory.
const (
	CertFile = "ca.pem"     // the CA certificate, for clients to trust
	KeyFile  = "ca-key.pem" // its private key (mode 0600): never share it
)

// DirValidity is how long a CA made by Load is valid (a development CA, as
// mkcert's: ten years).
const DirValidity = 10 * 365 * 24 * time.Hour

// Load returns the CA kept in dir, creating dir (mode 0700) and the CA on
// first use; created says whether it was made now. Two processes starting at
// once agree on one CA: the key file is published with a hard link, which
// fails if another process published one first.
func Load(dir string, now time.Time) (ca *CA, created bool, err error) {
	if dir == "" {
		return nil, false, errors.New("tlsca: no CA directory")
	}
	if ca, err := read(dir); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ca, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("tlsca: %w", err)
	}
	ca, err = NewCA(now, DirValidity)
	if err != nil {
		return nil, false, err
	}
	keyDER, err := x509.MarshalECPrivateKey(ca.key)
	if err != nil {
		return nil, false, fmt.Errorf("tlsca: %w", err)
	}
	tmpKey, err := writeTemp(dir, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmpKey)
	tmpCert, err := writeTemp(dir, ca.PEM, 0o644)
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmpCert)
	if err := os.Link(tmpKey, filepath.Join(dir, KeyFile)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return waitForOther(dir)
		}
		return nil, false, fmt.Errorf("tlsca: %w", err)
	}
	// The key is ours: publish the certificate that goes with it.
	if err := os.Rename(tmpCert, filepath.Join(dir, CertFile)); err != nil {
		return nil, false, fmt.Errorf("tlsca: %w", err)
	}
	return ca, true, nil
}

// waitForOther reads the CA another process is publishing (its key is there,
// its certificate follows at once).
func waitForOther(dir string) (*CA, bool, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		ca, err := read(dir)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || time.Now().After(deadline) {
			return ca, false, err
		}
		time.Sleep(20 * time.Millisecond) // another process is between two renames
	}
}

func writeTemp(dir string, data []byte, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("tlsca: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("tlsca: %w", err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("tlsca: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("tlsca: %w", err)
	}
	return f.Name(), nil
}

// read loads dir's CA; a missing file gives an error wrapping fs.ErrNotExist.
func read(dir string) (*CA, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil {
		return nil, fmt.Errorf("tlsca: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, fmt.Errorf("tlsca: %w", err)
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || cb.Type != "CERTIFICATE" || kb == nil {
		return nil, fmt.Errorf("tlsca: %s does not hold a PEM certificate and key (%s, %s)", dir, CertFile, KeyFile)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("tlsca: %s: %w", CertFile, err)
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("tlsca: %s: %w", KeyFile, err)
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !cert.IsCA || !key.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("tlsca: %s and %s in %s are not a CA and its key", CertFile, KeyFile, dir)
	}
	return &CA{cert: cert, key: key, PEM: certPEM}, nil
}
