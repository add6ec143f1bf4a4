package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/internal/hmacsig"
)

// sign prints what signing a request computes, to compare with the
// emulator's X-Acsemu-Explanation (or with another SDK's headers), and with
// --send sends it.
func sign(ctx context.Context, cfg Config, stdout io.Writer) error {
	body := []byte(cfg.Body)
	if name, ok := strings.CutPrefix(cfg.Body, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		body = b
	}
	policy, err := download.NewPolicy(cfg.ConnectionString.Endpoint, cfg.AllowHosts)
	if err != nil {
		return err
	}
	date := cfg.Date
	if date.IsZero() {
		date = time.Now()
	}
	opts := []signer.Option{signer.WithClock(clock.NewManual(date)), signer.WithAllowedHosts(policy.Allowed), signer.WithDebug()}
	if cfg.DateHeader {
		opts = append(opts, signer.WithDateHeader())
	}
	if cfg.ACSHost == "endpoint" {
		cfg.ACSHost = cfg.ConnectionString.Endpoint.Host
	}
	if cfg.ACSHost != "" {
		opts = append(opts, signer.WithACSHost(cfg.ACSHost))
	}
	tr := signer.New(cfg.ConnectionString, opts...)
	req, err := http.NewRequestWithContext(ctx, cfg.Method, cfg.Args[0], nil)
	if err != nil {
		return err
	}
	s, err := tr.Sign(req, body)
	if err != nil {
		return fmt.Errorf("%w (allow other hosts with --allow-hosts)", err)
	}
	fmt.Fprintf(stdout, "%s %s\n", cfg.Method, req.URL.RequestURI())
	fmt.Fprintf(stdout, "Host: %s\n", signer.SignedHost(req))
	if s.XMSHost != "" {
		fmt.Fprintf(stdout, "x-ms-host: %s\n", s.XMSHost)
	}
	fmt.Fprintf(stdout, "%s: %s\n", strings.ToLower(s.DateHeader), s.Date)
	fmt.Fprintf(stdout, "x-ms-content-sha256: %s\n", s.ContentHash)
	fmt.Fprintf(stdout, "Authorization: %s\n", s.Authorization)
	fmt.Fprintf(stdout, "\nstring-to-sign (escaped as in X-Acsemu-Explanation):\n%s\n", hmacsig.EscapeStringToSign(s.StringToSign))
	fmt.Fprintf(stdout, "signed host: %s\nsigned path and query: %s\n", s.Host, s.PathAndQuery)
	if !cfg.Send {
		return nil
	}
	sendReq, err := http.NewRequestWithContext(ctx, cfg.Method, cfg.Args[0], strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	if len(body) == 0 {
		sendReq.Body = http.NoBody
	}
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(sendReq)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	fmt.Fprintf(stdout, "\nsent: %s\n", resp.Status)
	if e := resp.Header.Get("X-Acsemu-Explanation"); e != "" {
		fmt.Fprintf(stdout, "X-Acsemu-Explanation: %s\n", e)
	}
	if resp.StatusCode >= 400 {
		fmt.Fprintf(stdout, "body: %s\n", strings.TrimSpace(string(snippet)))
	}
	return nil
}
