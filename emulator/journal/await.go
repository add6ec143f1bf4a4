package journal

import "context"

// Await returns the entries matching f once at least n of them are in the
// journal, or what matched so far and ctx's error when ctx ends first.
//
// An entry is added when its answer ends, which is after the client has read
// the last byte: a caller that reads the journal once, straight after its
// request, races the handler. Await waits on Changed instead of sleeping, so
// it returns as soon as the entry lands and never misses one. Pass
// AfterID: LastID() taken before the request to wait for that request only.
// With f.Limit set, n above the limit can never be met.
//
// Await is the in-process form (emulatortest.AwaitRequests, the match
// package's matchers on an *emulator.Server); the control plane's long poll
// (GET /_emulator/requests?wait=&count=, which control.Client.WaitRequests
// and the matchers on a *control.Client use) waits with the same Until.
func (j *Journal) Await(ctx context.Context, f Filter, n int) ([]Entry, error) {
	return Until(ctx, j.Changed, func() ([]Entry, int) { es := j.Query(f); return es, len(es) }, n)
}

// Until is the one waiting loop of the emulator's journals: it calls get
// until get reports at least n, sleeping between calls on changed, a channel
// closed at the journal's next change (Journal.Changed,
// eventgrid.Engine.AttemptsChanged). changed is taken before each get, so a
// change between the two still wakes it. When ctx ends first it returns
// get's last answer and ctx's error.
func Until[T any](ctx context.Context, changed func() <-chan struct{}, get func() (T, int), n int) (T, error) {
	for {
		ch := changed()
		v, got := get()
		if got >= n {
			return v, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return v, ctx.Err()
		}
	}
}
