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
	"github.com/acsemu/acsemu/emulator/api"
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

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage())
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args, env, stdout, stderr)
		}
	}
	return fmt.Errorf("unknown command %q%s; run acsemu help", args[0], didYouMean(args[0]))
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
	fmt.Fprintf(stdout, "  control plane:     %s%s\n", srv.URL(), api.Prefix)
	fmt.Fprintf(stdout, "  seed:              %d (--seed %d reproduces this run)\n", srv.Seed(), srv.Seed())
	fmt.Fprintf(stdout, "  dashboard:         %s/_emulator/ui/\n", srv.URL())
	if cfg.ControlToken != "" {
		fmt.Fprintf(stdout, "                     (control token set: open %s/_emulator/ui/?token=<your token> once)\n", srv.URL())
	}
	if cfg.TLS {
		fmt.Fprintf(stdout, "  CA certificate:    %s%sca.pem\n", srv.URL(), api.Prefix)
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
