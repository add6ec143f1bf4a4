package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/tlsca"
)

// printAppEnv prints what the app under test needs, ready to paste: its
// connection string, the CA file its runtime should trust and the hosts-file
// line for the storage host.
func printAppEnv(w io.Writer, srv *emulator.Server, storageHost string) {
	fmt.Fprintf(w, "  environment for your app:\n")
	fmt.Fprintf(w, "    ACS_CONNECTION_STRING='%s'\n", srv.ConnectionString())
	if ca := srv.CAFile(); ca != "" {
		if abs, err := filepath.Abs(ca); err == nil {
			ca = abs
		}
		fmt.Fprintf(w, "    NODE_EXTRA_CA_CERTS=%s   # Node.js\n", ca)
		fmt.Fprintf(w, "    SSL_CERT_FILE=%s         # Go, OpenSSL, .NET on Linux (replaces the system roots)\n", ca)
	} else if strings.HasPrefix(srv.URL(), "https:") {
		fmt.Fprintf(w, "    # trust the CA at %s/_emulator/ca.pem (new at every start: --ca-dir DIR keeps one your app can read before the emulator starts)\n", srv.URL())
	}
	if storageHost != "" {
		fmt.Fprintf(w, "  hosts file line (/etc/hosts, or C:\\Windows\\System32\\drivers\\etc\\hosts):\n    %s %s\n", hostsIP(srv.URL()), storageHost)
	}
}

// hostsIP is the address a hosts-file line should map the storage host to:
// the listener's, or loopback for a wildcard listener.
func hostsIP(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "127.0.0.1"
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return ip.String()
}

// caCmd runs `acsemu ca --dir DIR`: creates the persistent CA before anything
// else starts (a CI job's first step) and prints its certificate.
func caCmd(args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("acsemu ca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", env("ACSEMU_CA_DIR"), "the CA directory: created with "+tlsca.CertFile+" and "+tlsca.KeyFile+" on first use, then reused (ACSEMU_CA_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *dir == "" {
		return fmt.Errorf("ca: usage: acsemu ca --dir DIR")
	}
	ca, created, err := tlsca.Load(*dir, time.Now())
	if err != nil {
		return err
	}
	verb := "reused"
	if created {
		verb = "created"
	}
	fmt.Fprintf(stderr, "acsemu: %s the CA in %s (trust %s; keep %s private)\n", verb, *dir,
		filepath.Join(*dir, tlsca.CertFile), filepath.Join(*dir, tlsca.KeyFile))
	_, err = stdout.Write(ca.PEM)
	return err
}
