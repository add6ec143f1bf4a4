package download_test

import (
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
)

// sleeper is a Sleep that advances a manual clock instead of waiting, and
// remembers what it was asked.
type sleeper struct {
	clk *clock.Manual
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.got = append(s.got, d)
	s.mu.Unlock()
	s.clk.Advance(d)
	return ctx.Err()
}

func TestRetryAfterIsHonoured(t *testing.T) {
	start := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		status int
		after  func(now time.Time) string
		want   time.Duration
	}{
		{"503 seconds", http.StatusServiceUnavailable, func(time.Time) string { return "7" }, 7 * time.Second},
		{"429 http date", http.StatusTooManyRequests, func(now time.Time) string { return now.Add(20 * time.Second).Format(http.TimeFormat) }, 20 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewManual(start)
			e := newEnv(t, emulator.Options{Seed: 16, Clock: clk})
			doc := e.recording(1, 100_000).Documents[0]
			busy := &faulty{base: newTransport(), after: func(n int, r *http.Response) (*http.Response, error) {
				if n == 1 {
					return replace(r, c.status, "Retry-After", c.after(clk.Now())), nil
				}
				return r, nil
			}}
			s := &sleeper{clk: clk}
			d := e.downloader(download.Options{Transport: busy, Clock: clk, Sleep: s.sleep})
			if _, err := d.Document(context.Background(), jobOf(doc)); err != nil {
				t.Fatal(err)
			}
			e.checkFiles(doc)
			if len(s.got) != 1 || s.got[0] != c.want {
				t.Errorf("slept %v, want [%v]", s.got, c.want)
			}
			media := e.requests(api.RequestFilter{DocumentID: doc.ID, Target: journal.TargetMedia}, 2)
			// Entries are ordered by completion; Time is when each request arrived.
			sort.Slice(media, func(i, j int) bool { return media[i].Time.Before(media[j].Time) })
			if len(media) != 2 || media[1].Time.Sub(media[0].Time) < c.want {
				t.Fatalf("media requests at %v", times(media))
			}
		})
	}
}

func times(es []journal.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Time.Format(time.TimeOnly))
	}
	return out
}

// Without Retry-After the delays grow exponentially with jitter; attempts are
// bounded; a Retry-After beyond MaxRetryAfter ends the download at once.
func TestBoundedRetries(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 17})
	doc := e.recording(1, 50_000).Documents[0]
	status := http.StatusInternalServerError
	retryAfter := ""
	failing := &faulty{base: newTransport(), all: true, after: func(_ int, r *http.Response) (*http.Response, error) {
		return replace(r, status, "Retry-After", retryAfter), nil
	}}
	s := &sleeper{clk: clock.NewManual(time.Unix(0, 0))}
	d := e.downloader(download.Options{Transport: failing, Sleep: s.sleep, MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 3 * time.Second})
	_, err := d.Document(context.Background(), jobOf(doc))
	if err == nil || !strings.Contains(err.Error(), "after 4 failed attempts") {
		t.Fatalf("err = %v", err)
	}
	if len(s.got) != 3 {
		t.Fatalf("slept %v", s.got)
	}
	for i, lim := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
		if s.got[i] < lim/2 || s.got[i] > lim {
			t.Errorf("delay %d = %v, want within [%v, %v]", i+1, s.got[i], lim/2, lim)
		}
	}
	if n := failing.sent.Load(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}

	status, retryAfter = http.StatusServiceUnavailable, "3600"
	failing.sent.Store(0)
	_, err = d.Document(context.Background(), jobOf(doc))
	if err == nil || !strings.Contains(err.Error(), "longer than the 10m0s allowed") || failing.sent.Load() != 1 {
		t.Fatalf("err = %v after %d requests", err, failing.sent.Load())
	}

	status = http.StatusNotFound
	failing.sent.Store(0)
	_, err = d.Document(context.Background(), jobOf(doc))
	if err == nil || !strings.Contains(err.Error(), "404") || failing.sent.Load() != 1 {
		t.Fatalf("a 404 was retried or passed: %v after %d requests", err, failing.sent.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 7, 1, 12, 0, 0, 500_000_000, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"7", 7 * time.Second, true}, {" 0 ", 0, true}, {"-1", 0, false}, {"1.5", 0, false},
		{"Tue, 01 Jul 2025 12:00:10 GMT", 9500 * time.Millisecond, true},
		{"Tue, 01 Jul 2025 11:00:00 GMT", 0, true}, {"soon", 0, false},
	} {
		h := http.Header{}
		if c.v != "" {
			h.Set("Retry-After", c.v)
		}
		got, ok := download.ParseRetryAfter(h, now)
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %v %v, want %v %v", c.v, got, ok, c.want, c.ok)
		}
	}
}

func TestBackoffIsSeeded(t *testing.T) {
	a := download.NewBackoff(time.Second, time.Minute, time.Hour, 42)
	b := download.NewBackoff(time.Second, time.Minute, time.Hour, 42)
	for n := 1; n <= 10; n++ {
		da, db := a.Delay(n, 0), b.Delay(n, 0)
		if da != db {
			t.Fatalf("retry %d: %v vs %v with one seed", n, da, db)
		}
		if da > time.Minute || da < min(time.Second<<(n-1), time.Minute)/2 {
			t.Errorf("retry %d: %v", n, da)
		}
	}
	if d := a.Delay(1, 45*time.Second); d != 45*time.Second {
		t.Errorf("Retry-After not honoured: %v", d)
	}
}

// stallBody gives n bytes of body, then nothing until the request is cancelled.
type stallBody struct {
	r   io.Reader
	c   io.Closer
	ctx context.Context
}

func (s *stallBody) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		<-s.ctx.Done()
		return n, s.ctx.Err()
	}
	return n, err
}

func (s *stallBody) Close() error { return s.c.Close() }

// stalledBodyTimeout is the StallTimeout of TestStalledBodyIsRetried.
const stalledBodyTimeout = time.Second

// A connection that stops sending is abandoned after StallTimeout and the
// download resumes from what arrived.
func TestStalledBodyIsRetried(t *testing.T) {
	e := newEnv(t, emulator.Options{Seed: 18})
	doc := e.recording(1, 100_000).Documents[0]
	staller := &faulty{base: newTransport(), after: func(n int, r *http.Response) (*http.Response, error) {
		if n == 1 {
			r.Body = &stallBody{r: io.LimitReader(r.Body, 40_000), c: r.Body, ctx: r.Request.Context()}
		}
		return r, nil
	}}
	// The watchdog runs on wall-clock time (Options.StallTimeout), so its
	// bound must exceed any pause of a healthy in-process transfer on a loaded
	// CI machine: at 50 ms a slow resume was abandoned too (3 requests, not 2).
	// The test waits this long once, for the stalled request.
	d := e.downloader(download.Options{Transport: staller, StallTimeout: stalledBodyTimeout})
	res, err := d.Document(context.Background(), jobOf(doc))
	if err != nil {
		t.Fatal(err)
	}
	e.checkFiles(doc)
	if f := res.Files[0]; f.Requests != 2 || f.Resumed != 1 {
		t.Errorf("result %+v", f)
	}
	if n := e.count(api.RequestFilter{DocumentID: doc.ID, RangePrefix: "bytes=40000-"}, 1); n != 1 {
		t.Errorf("%d resumes from 40000", n)
	}
}
