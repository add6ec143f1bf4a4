package download

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/clock"
)

// Backoff computes retry delays: exponential from Base, capped at Max, with
// "equal jitter" (half fixed, half random from a seeded source, so a seed
// gives the same schedule), never shorter than a Retry-After the server sent.
type Backoff struct {
	Base, Max time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a longer one ends the
	// download with an error rather than ignoring the server.
	MaxRetryAfter time.Duration

	mu  sync.Mutex
	rnd *rand.Rand
}

// NewBackoff returns a Backoff with the given bounds and jitter seed.
func NewBackoff(base, max, maxRetryAfter time.Duration, seed int64) *Backoff {
	return &Backoff{Base: base, Max: max, MaxRetryAfter: maxRetryAfter,
		rnd: rand.New(rand.NewPCG(uint64(seed), 0x61637372_65630001))}
}

// Delay is the wait before retry number n (1 for the first retry), given the
// server's Retry-After (0 if none).
func (b *Backoff) Delay(n int, retryAfter time.Duration) time.Duration {
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	b.mu.Lock()
	half := d / 2
	d = half + time.Duration(b.rnd.Int64N(int64(half)+1))
	b.mu.Unlock()
	return max(d, retryAfter)
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (relative to now). ok is false when there is none or it cannot be read; a
// date in the past gives 0.
func ParseRetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// SleepFunc waits d or until ctx ends.
type SleepFunc func(ctx context.Context, d time.Duration) error

// ClockSleep waits on c, so a test's manual clock drives retries.
func ClockSleep(c clock.Clock) SleepFunc {
	return func(ctx context.Context, d time.Duration) error {
		if d <= 0 {
			return ctx.Err()
		}
		select {
		case <-c.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// retryable reports whether a status is worth retrying: 408, 429 and 5xx
// except 501 and 505, as the Azure SDKs do.
func retryable(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return true
	case status == http.StatusNotImplemented, status == http.StatusHTTPVersionNotSupported:
		return false
	}
	return status >= 500
}
