package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
)

// downloadCmd downloads documents given by id (2021 preview API on the
// endpoint) or by content location, --parallel at a time, resuming partial
// files left by an earlier run.
func downloadCmd(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
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
	var todo []jobs.Job
	for _, a := range cfg.Args {
		j := jobs.Job{DocumentID: a}
		if strings.Contains(a, "://") {
			if j, err = download.JobFromLocation(a); err != nil {
				return err
			}
		}
		if err := dl.Check(j); err != nil {
			return err
		}
		todo = append(todo, j)
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, cfg.Parallel)
	)
	for _, j := range todo {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			res, err := dl.Document(ctx, j)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", j.DocumentID, err))
				return
			}
			for _, f := range res.Files {
				fmt.Fprintf(stdout, "%s\t%d bytes\t%d request(s)\n", f.Name, f.Size, f.Requests)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
