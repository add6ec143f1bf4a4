package download

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/clock"
)

// Runner downloads the jobs of a store with a bounded number of workers,
// until its context ends.
type Runner struct {
	Store      *jobs.Store
	Downloader *Downloader
	// Workers bounds the documents downloaded at once (default 4).
	Workers int
	// Clock times the waits for delayed jobs; nil is the wall clock.
	Clock clock.Clock
	// RetryDelay is how long a failed job waits before its next run; nil
	// means 30 s doubling per attempt, at most 10 minutes.
	RetryDelay func(attempts int) time.Duration
	// Logger gets structured logs; nil discards them.
	Logger *slog.Logger
	// OnFinish, if set, is called after every run of a job with the job as
	// the run left it.
	OnFinish func(j jobs.Job, res Result, err error)
}

// Run works until ctx ends, then waits for the workers: a download cut short
// by the end of ctx goes back to the queue (its partial file stays, to be
// resumed) without counting as an attempt.
func (r *Runner) Run(ctx context.Context) error {
	if r.Store == nil || r.Downloader == nil {
		return errors.New("download: Runner needs a Store and a Downloader")
	}
	n := r.Workers
	if n <= 0 {
		n = 4
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { r.work(ctx) })
	}
	wg.Wait()
	return nil
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return r.Logger
}

func (r *Runner) work(ctx context.Context) {
	clk := r.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	log := r.logger()
	for ctx.Err() == nil {
		j, ok, wait, err := r.Store.Next()
		if err != nil {
			log.Error("job store", "err", err)
			wait = time.Second
		}
		if !ok {
			var timer <-chan time.Time
			if wait > 0 {
				timer = clk.After(wait)
			}
			select {
			case <-ctx.Done():
			case <-r.Store.Wake():
			case <-timer:
			}
			continue
		}
		r.run(ctx, j, log)
	}
}

func (r *Runner) run(ctx context.Context, j jobs.Job, log *slog.Logger) {
	log = log.With("documentId", j.DocumentID, "attempt", j.Attempts)
	log.Info("job started")
	res, err := r.Downloader.Document(ctx, j)
	switch {
	case err == nil:
		err = r.Store.Complete(j.DocumentID, res.Names(), res.Bytes())
		if err != nil {
			log.Error("job store", "err", err)
		}
	case ctx.Err() != nil:
		log.Info("job interrupted; back in the queue", "err", err)
		if err := r.Store.Release(j.DocumentID); err != nil {
			log.Error("job store", "err", err)
		}
	default:
		delay := r.delay(j.Attempts)
		st, serr := r.Store.Fail(j.DocumentID, err, delay)
		if serr != nil {
			log.Error("job store", "err", serr)
		}
		if st == jobs.Failed {
			log.Error("job failed", "err", err, "permanent", jobs.IsPermanent(err))
			r.Downloader.Discard(j) // it will not run again unless an operator retries it, from zero
		} else {
			log.Warn("job will be retried", "err", err, "in", delay)
		}
	}
	if r.OnFinish != nil {
		latest, gerr := r.Store.Get(j.DocumentID)
		if gerr != nil {
			latest = j
		}
		r.OnFinish(latest, res, err)
	}
}

func (r *Runner) delay(attempts int) time.Duration {
	if r.RetryDelay != nil {
		return r.RetryDelay(attempts)
	}
	d := 30 * time.Second
	for i := 1; i < attempts && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}
