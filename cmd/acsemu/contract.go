package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/acsemu/acsemu/contract"
	"github.com/acsemu/acsemu/emulator"
)

const contractUsage = `acsemu contract --webhook URL [flags]

Contract-tests your Event Grid webhook and recording downloader: starts an
emulator on --addr (configure your app with the connection string it prints;
the default address gives the documented one), subscribes your webhook, sends
recording events and injects a connection reset, a 503 with Retry-After and a
duplicate delivery, then attacks it (a delivery without the URL's secret, a
location on another host, an event whose locations name another document; bad
tokens with --entra-audience, a forged callback JWT with --callback) and
reports what your code did wrong. Exit code 1 when a required check fails, or
a recommended one you did not waive (--waive).

Over HTTPS with a CA your app trusts before the emulator starts:
  acsemu ca --dir .acsemu-ca        # once, before your app starts
  acsemu contract --tls --ca-dir .acsemu-ca --storage-host us-storage.asm.skype.com --webhook URL

Flags:
`

// contractCmd runs `acsemu contract`.
func contractCmd(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return runContract(ctx, args, env, stdout, stderr, nil)
}

// runContract is contractCmd; started, if set, is called once the emulator
// listens (tests start their webhook with its connection string).
func runContract(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer, started func(*emulator.Server)) error {
	fs := flag.NewFlagSet("acsemu contract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, contractUsage); fs.PrintDefaults() }
	addr := env("ACSEMU_ADDR")
	if addr == "" {
		addr = emulator.DefaultAddr
	}
	webhook := fs.String("webhook", env("ACSEMU_WEBHOOK"), "your webhook's URL as Event Grid would call it, query string included (ACSEMU_WEBHOOK; required)")
	fs.StringVar(&addr, "addr", addr, "emulator listen address HOST:PORT (ACSEMU_ADDR)")
	output := fs.String("output", "", "the folder your code writes recordings to: every chunk must be there with the right SHA-256")
	junit := fs.String("junit-report", "", "also write the report as JUnit XML to this file")
	timeout := fs.Duration("timeout", contract.DefaultTimeout, "longest wait for your code to finish deliveries and downloads")
	idle := fs.Duration("idle", contract.DefaultIdle, "stop waiting for downloads after this long without a new download request (and for files this long after)")
	waive := fs.String("waive", "", "comma-separated recommended checks your app deliberately does not follow, e.g. metadata")
	waivers := fs.String("waivers", "", `file of waived recommendations, one "CHECK reason" per line`)
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for your webhook to accept connections")
	latency := fs.Duration("max-latency", contract.DefaultMaxLatency, "slowest acceptable answer to an event")
	quiet := fs.Duration("quiet", contract.DefaultQuiet, "downloads count as finished after this long without a new request")
	seed := fs.Int64("seed", 0, "seed of the recordings and every random choice; 0 picks a random one, so ids differ from the last run as on Azure")
	tlsOn := fs.Bool("tls", false, "serve HTTPS with a generated local CA (your app must trust the CA at /_emulator/ca.pem)")
	tlsHosts := fs.String("tls-hosts", "", "comma-separated extra certificate names")
	caDir := fs.String("ca-dir", env("ACSEMU_CA_DIR"), "with --tls: keep the CA in this directory, created on first use (acsemu ca --dir DIR makes it up front) (ACSEMU_CA_DIR)")
	storageHost := fs.String("storage-host", env("ACSEMU_STORAGE_HOST"), "host name in the events' chunk locations, e.g. us-storage.asm.skype.com; scheme and port follow from --addr (ACSEMU_STORAGE_HOST)")
	storage := fs.String("storage-url", "", "scheme://host[:port] written in the events' chunk locations, when --storage-host is not enough")
	public := fs.String("public-url", "", "the emulator's URL as your webhook reaches it, e.g. from a container (default its URL)")
	entra := fs.String("entra-audience", "", "subscribe with Entra ID delivery auth for this application id or URI (tokens issued by the emulator) and check that bad tokens are refused")
	callback := fs.String("callback", "", "your Call Automation callback URL: check that a callback with a forged JWT is refused")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("contract: unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *webhook == "" {
		fs.Usage()
		return errors.New("contract: --webhook is required")
	}
	waived, err := loadWaivers(*waive, *waivers)
	if err != nil {
		return err
	}
	opts := emulator.Options{Addr: addr, Seed: *seed, TLS: *tlsOn, CADir: *caDir, StorageHost: strings.TrimSpace(*storageHost),
		StorageBaseURL: *storage, PublicURL: *public}
	for _, h := range strings.Split(*tlsHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			opts.TLSHosts = append(opts.TLSHosts, h)
		}
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return fmt.Errorf("contract: start the emulator: %w", err)
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "acsemu contract: emulator on %s\n  connection string: %s\n  webhook:           %s\n  seed:              %d\n",
		srv.URL(), srv.ConnectionString(), *webhook, srv.Seed())
	printAppEnv(stdout, srv, opts.StorageHost)
	fmt.Fprintln(stdout)
	if started != nil {
		started(srv)
	}
	rep, err := contract.Run(ctx, contract.Config{Control: srv.Control(), Webhook: *webhook, OutputDir: *output,
		WaitForWebhook: *wait, Timeout: *timeout, Idle: *idle, Quiet: *quiet, MaxLatency: *latency, Seed: srv.Seed(), Waivers: waived,
		EntraAudience: *entra, CallbackURL: *callback})
	if err != nil {
		return err
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if *junit != "" {
		if err := writeJUnit(*junit, rep); err != nil {
			return err
		}
	}
	if failed := rep.Failed(); len(failed) > 0 {
		return fmt.Errorf("contract: %d of %d checks failed, first %q", len(failed), len(rep.Results), failed[0].ID)
	}
	return nil
}

func writeJUnit(path string, rep contract.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("contract: --junit-report: %w", err)
	}
	if err := rep.WriteJUnit(f); err != nil {
		f.Close()
		return fmt.Errorf("contract: --junit-report: %w", err)
	}
	return f.Close()
}

// loadWaivers reads --waive and the --waivers file.
func loadWaivers(list, file string) (map[string]string, error) {
	if file == "" {
		return contract.ParseWaivers(list, nil)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("contract: --waivers: %w", err)
	}
	defer f.Close()
	return contract.ParseWaivers(list, f)
}
