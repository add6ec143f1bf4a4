package emulatortest

import (
	"context"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/journal"
)

// AwaitTimeout bounds how long AwaitRequests waits. It is a bound, not a
// pause: AwaitRequests returns as soon as the entries land.
const AwaitTimeout = 30 * time.Second

// AwaitRequests waits until at least n journal entries match f and returns
// them; it fails the test, saying what did match, after AwaitTimeout.
//
// A request's entry is added when its answer ends, which can be after the
// client has read the last byte, so a test must not read the journal once
// straight after a request. Set f.AfterID to srv.Journal().LastID() taken
// before the request to wait for that request's entry only.
//
// It is Journal.Await with a test's timeout and failure: the in-process
// twin of control.Client.WaitRequests, whose long poll the emulator answers
// with the same waiting loop.
func AwaitRequests(t testing.TB, srv *emulator.Server, f journal.Filter, n int) []journal.Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), AwaitTimeout)
	defer cancel()
	es, err := srv.Journal().Await(ctx, f, n)
	if err != nil {
		t.Fatalf("emulatortest: journal has %d entries matching %s after %v, want %d: %+v", len(es), f, AwaitTimeout, n, es)
	}
	return es
}
