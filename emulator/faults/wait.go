package faults

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/acsemu/acsemu/internal/jsondur"
)

// MaxWait bounds every real-time wait an action asks for (latency, stall,
// delay, timeout, and each step of a bandwidth limit).
const MaxWait = 10 * time.Minute

// Duration is a time.Duration that travels in JSON as a Go duration string
// ("250ms", "2s"); a bare JSON number is read as milliseconds.
type Duration = jsondur.Duration

// checkWait refuses a negative wait or one above MaxWait.
func checkWait(field string, d Duration) error {
	if d < 0 || time.Duration(d) > MaxWait {
		return fieldErr(field, "%v must be between 0 and %v", time.Duration(d), MaxWait)
	}
	return nil
}

// errClosed ends waits when the injector closes.
var errClosed = errors.New("faults: the injector is closed")

// sleep waits d of real time, returning early with an error when ctx ends
// or the injector closes.
func (inj *Injector) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-inj.done:
		return errClosed
	}
}

// seconds formats d as seconds, to the millisecond ("0.8s", "2s").
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', -1, 64) + "s"
}
