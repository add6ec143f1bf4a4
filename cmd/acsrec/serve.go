package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/webhook"
)

// open prepares the output folder, the job store and the downloader.
func open(cfg Config, log *slog.Logger, progress download.Progress) (*jobs.Store, *download.Downloader, error) {
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, nil, fmt.Errorf("output folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.State), 0o755); err != nil {
		return nil, nil, fmt.Errorf("state folder: %w", err)
	}
	store, err := jobs.Open(cfg.State, jobs.Options{Retention: cfg.Retention})
	if err != nil {
		return nil, nil, fmt.Errorf("%w (is another acsrec using %s?)", err, cfg.State)
	}
	opts := download.Options{Dir: cfg.Out, AllowHosts: cfg.AllowHosts, State: store, Logger: log, DeleteAfterDownload: cfg.Delete}
	if progress != nil {
		opts.Progress = progress
	}
	dl, err := download.New(cfg.ConnectionString, opts)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, dl, nil
}

// serve runs the webhook and the downloader until ctx ends. onListen, if set,
// is told the bound address (tests listen on port 0).
func serve(ctx context.Context, cfg Config, stderr io.Writer, onListen func(addr string)) error {
	log, bars := logger(cfg, stderr)
	var progress download.Progress
	if bars {
		progress = newBar(stderr)
	}
	store, dl, err := open(cfg, log, progress)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dl.Close()
	counts, _ := store.Counts()
	log.Info("job store opened", "path", cfg.State, "pending", counts[jobs.Pending], "done", counts[jobs.Done], "failed", counts[jobs.Failed])

	hookOpts := webhook.Options{Secret: cfg.Secret, Check: dl.Check, Logger: log, Lenient: cfg.InsecureLenient}
	if cfg.OIDCIssuer != "" {
		hookOpts.Tokens = webhook.NewOIDCVerifier(cfg.OIDCIssuer, cfg.OIDCAudience, nil)
	}
	hook := webhook.New(store, hookOpts)
	callbacks := &webhook.Callbacks{Logger: log}
	if cfg.CallbackAudience != "" {
		callbacks.Tokens = webhook.NewCallbackVerifier(cfg.CallbackIssuer, cfg.CallbackAudience, nil)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		c, err := store.Counts()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"jobs": c, "webhook": hook.Stats()})
	})
	mux.Handle("/callbacks", callbacks)
	mux.Handle("/", hook)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// Before "acsrec serving", which scripts wait for.
	announceAuth(cfg, log, stderr, "http://"+ln.Addr().String()+"/")
	log.Info("acsrec serving", "webhook", "http://"+ln.Addr().String()+"/", "out", cfg.Out,
		"endpoint", cfg.ConnectionString.Endpoint.String(), "allowHosts", cfg.AllowHosts, "parallel", cfg.Parallel, "secret", cfg.Secret != "", "oidcIssuer", cfg.OIDCIssuer, "callbackIssuer", cfg.CallbackIssuer)
	if onListen != nil {
		onListen(ln.Addr().String())
	}

	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	runnerDone := make(chan struct{})
	go func() {
		defer close(runnerDone)
		r := &download.Runner{Store: store, Downloader: dl, Workers: cfg.Parallel, Logger: log}
		r.Run(runCtx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case <-ctx.Done():
		log.Info("shutting down: no new events; in-flight downloads keep their partial files")
	case err = <-serveErr:
		log.Error("webhook server stopped", "err", err)
	}
	// Stop taking events first, then stop the downloads.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shutdownCtx); serr != nil {
		srv.Close()
	}
	stopRunner()
	<-runnerDone
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	counts, _ = store.Counts()
	log.Info("stopped", "pending", counts[jobs.Pending], "done", counts[jobs.Done], "failed", counts[jobs.Failed])
	return nil
}

// announceAuth says how the webhook authenticates deliveries: the exact URL to
// subscribe when it generated the secret, and loud warnings for each opt-out.
func announceAuth(cfg Config, log *slog.Logger, stderr io.Writer, base string) {
	if cfg.SecretGenerated {
		fmt.Fprintf(stderr, "acsrec: no --secret given, so one was generated. Subscribe Event Grid to:\n  %s?code=%s\n", base, url.QueryEscape(cfg.Secret))
	}
	if cfg.InsecureNoAuth && cfg.Secret == "" && cfg.OIDCIssuer == "" {
		log.Warn("INSECURE: --insecure-no-auth: deliveries are accepted without a secret or token; " +
			"any process or web page that can reach this port can forge recording events")
	}
	if cfg.InsecureLenient {
		log.Warn("INSECURE: --insecure-lenient: deliveries without aeg-event-type or with a text/plain body are accepted; " +
			"a web page can post those cross-origin without a CORS preflight")
	}
}
