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
func (j *Journal) Await(ctx context.Context, f Filter, n int) ([]Entry, error) {
	for {
		changed := j.Changed() // before the query: an Add in between still wakes us
		es := j.Query(f)
		if len(es) >= n {
			return es, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return es, ctx.Err()
		}
	}
}
