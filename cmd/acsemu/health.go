package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/control"
)

const healthUsage = `acsemu health [--url URL] [--timeout D]

Exits 0 when the emulator's control plane answers /_emulator/health, 1
otherwise. It is the container image's HEALTHCHECK (a scratch image has no
shell or curl), so with no --url it checks the emulator this environment
configures: ACSEMU_URL, else ACSEMU_ADDR (every-interface addresses checked
at loopback) with https when ACSEMU_TLS is true.

Flags:
`

// healthCommand is the command table's entry for `acsemu health`.
func healthCommand(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return healthCmd(ctx, args[1:], env, stdout, stderr)
}

// healthCmd runs `acsemu health`.
func healthCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("acsemu health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, healthUsage); fs.PrintDefaults() }
	u := fs.String("url", healthURL(env), "emulator base URL (ACSEMU_URL)")
	timeout := fs.Duration("timeout", 3*time.Second, "longest wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("health: unexpected arguments %q", fs.Args())
	}
	if *timeout <= 0 {
		return fmt.Errorf("health: --timeout %s is not positive", *timeout)
	}
	hc, err := healthClient(*u)
	if err != nil {
		return err
	}
	c, err := control.NewClient(*u, hc)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	h, err := c.Health(ctx)
	if err != nil {
		return fmt.Errorf("health: %s does not answer: %w", *u, err)
	}
	return printJSON(stdout, h)
}

// healthURL is the emulator the environment configures, as `acsemu serve`
// reads it: ACSEMU_URL wins; else ACSEMU_ADDR and ACSEMU_TLS.
func healthURL(env func(string) string) string {
	if u := env("ACSEMU_URL"); u != "" {
		return u
	}
	addr := env("ACSEMU_ADDR")
	if addr == "" {
		addr = emulator.DefaultAddr
	}
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
	}
	scheme := "http"
	if tlsOn, _ := strconv.ParseBool(env("ACSEMU_TLS")); tlsOn {
		scheme = "https"
	}
	return scheme + "://" + addr
}

// healthClient checks an HTTPS emulator on loopback without verifying its
// certificate: the probe runs beside the emulator (in its container), sends
// no credentials and trusts nothing it reads, and the emulator's CA exists
// only in its memory. Any other host is verified as usual.
func healthClient(raw string) (*http.Client, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("health: bad --url %q: %w", raw, err)
	}
	if u.Scheme != "https" {
		return &http.Client{}, nil
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return &http.Client{}, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // loopback liveness probe, see above
	return &http.Client{Transport: tr}, nil
}
