// Command acsrec is the acsemu reference client: it receives Azure
// Communication Services RecordingFileStatusUpdated events from Event Grid and
// downloads every recording chunk the way an application should, against the
// real service or the acsemu emulator.
//
//	acsrec serve --out recordings --listen :8080      # webhook + downloader
//	acsrec download <documentId|contentLocation>...   # download now
//	acsrec sign https://<endpoint>/recording/download/<id>?api-version=...
//
// Configuration comes from flags or ACSREC_* variables (ACSREC_CONNECTION_STRING,
// ACSREC_OUT, ACSREC_LISTEN, ACSREC_ALLOW_HOSTS, ACSREC_SECRET, ACSREC_PARALLEL,
// ACSREC_STATE, ...). On a terminal downloads show a progress bar; otherwise
// acsrec writes structured logs (log/slog, text or JSON). SIGINT and SIGTERM
// stop it cleanly: in-flight downloads keep their partial files and resume at
// the next start.
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
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	cfg, err := Load(args, env, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "acsrec: %v\n", err)
		if len(args) == 0 {
			fmt.Fprint(stderr, Usage)
		}
		return 2
	}
	switch cfg.Command {
	case "sign":
		err = sign(ctx, cfg, stdout)
	case "download":
		err = downloadCmd(ctx, cfg, stdout, stderr)
	case "serve":
		err = serve(ctx, cfg, stderr, nil)
	}
	if err != nil {
		fmt.Fprintf(stderr, "acsrec: %v\n", err)
		return 1
	}
	return 0
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// logger builds the slog logger and says whether to show progress bars. With
// bars on, logs are kept to warnings so they do not fight the bar.
func logger(cfg Config, stderr io.Writer) (*slog.Logger, bool) {
	bars := cfg.Progress == "on" || cfg.Progress == "auto" && isTerminal(stderr)
	level := slog.LevelInfo
	switch {
	case cfg.Verbose:
		level = slog.LevelDebug
	case bars:
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(stderr, opts)), bars
	}
	return slog.New(slog.NewTextHandler(stderr, opts)), bars
}
