// Command acsemu runs the ACS call-recording emulator and drives it.
//
//	acsemu serve                 start the emulator (zero configuration)
//	acsemu recording create ...  create a recording (and publish its event)
//	acsemu requests ...          read the request journal
//
// Run `acsemu help` for every command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/acsemu/acsemu/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "acsemu:", err)
		os.Exit(1)
	}
}

const usage = `acsemu — a local emulator of Azure Communication Services call recording

Usage:
  acsemu serve [flags]                 start the emulator (see acsemu serve -h)
  acsemu health                        check that the emulator answers
  acsemu config                        print the emulator's effective configuration
  acsemu reset                         forget recordings, documents and the journal
  acsemu recording create [flags]      create a finished recording (see -h)
  acsemu recording list | get ID
  acsemu document get ID | upload ID FILE [--kind audio|video] [--content-type T]
  acsemu call simulate [flags]         play a call through the Call Automation API: start,
                                       --pause 10m@30m..., stop, then print the recording (see -h)
  acsemu requests [filters] [--count]  read the request journal (see -h)
  acsemu faults list|add|get|delete|clear|violations|fired
                                       manage fault rules (acsemu faults for details)
  acsemu subscription create|list|get|delete|validate|drain
                                       Event Grid subscriptions (acsemu subscription for details)
  acsemu deliveries | deadletters      Event Grid delivery attempts and dead letters
  acsemu events publish FILE|-         publish any Event Grid or CloudEvents JSON
  acsemu tokens fault|faults|clear     spoil the callback / delivery tokens (acsemu tokens for details)
  acsemu ca                            print the CA certificate (TLS mode)
  acsemu ca --dir DIR                  create (first time) and print the persistent CA that
                                       serve/contract --ca-dir DIR use: trust it before they start
  acsemu contract --webhook URL        contract-test your webhook and downloader (see -h)

Client commands talk to --url (ACSEMU_URL, default http://` + emulator.DefaultAddr + `).
`

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if args[0] == "serve" {
		return serve(ctx, args[1:], env, stdout, stderr)
	}
	if args[0] == "ca" && caLocal(args[1:]) {
		return caCmd(args[1:], env, stdout, stderr)
	}
	if args[0] == "contract" {
		return contractCmd(ctx, args[1:], env, stdout, stderr)
	}
	return runClient(ctx, args, env, stdout, stderr)
}

func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := LoadServe(args, env, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if cfg.Verbose {
		level = slog.LevelDebug
	}
	opts := cfg.Options()
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "acsemu is serving the ACS call-recording emulator\n")
	fmt.Fprintf(stdout, "  connection string: %s\n", srv.ConnectionString())
	fmt.Fprintf(stdout, "  control plane:     %s/_emulator/\n", srv.URL())
	fmt.Fprintf(stdout, "  seed:              %d (--seed %d reproduces this run)\n", srv.Seed(), srv.Seed())
	fmt.Fprintf(stdout, "  dashboard:         %s/_emulator/ui/\n", srv.URL())
	if cfg.TLS {
		fmt.Fprintf(stdout, "  CA certificate:    %s/_emulator/ca.pem\n", srv.URL())
	}
	printAppEnv(stdout, srv, cfg.StorageHost)
	fmt.Fprintf(stdout, "Press Ctrl+C to stop.\n")
	<-ctx.Done()
	fmt.Fprintln(stdout, "acsemu: shutting down")
	return srv.Close()
}

// caLocal reports whether `acsemu ca` names a CA directory (then it works
// without an emulator) rather than asking a running emulator.
func caLocal(args []string) bool {
	for _, a := range args {
		if a == "-dir" || a == "--dir" || strings.HasPrefix(a, "-dir=") || strings.HasPrefix(a, "--dir=") {
			return true
		}
	}
	return false
}
