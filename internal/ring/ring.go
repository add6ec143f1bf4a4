// Package ring is the bounded, oldest-first log behind every journal of
// acsemu (requests, delivery attempts, dead letters, fired faults): when it is
// full, adding drops the oldest entry, so memory stays bounded however long
// the emulator runs. A Ring is not safe for concurrent use; its owner locks.
package ring

import "iter"

// Ring keeps at most its capacity of values.
type Ring[T any] struct {
	buf     []T
	start   int // index of the oldest value once buf is full
	cap     int
	dropped int64
}

// New returns an empty ring holding at most capacity values (at least 1).
func New[T any](capacity int) *Ring[T] {
	return &Ring[T]{cap: max(capacity, 1)}
}

// Add appends v, dropping the oldest value when the ring is full.
func (r *Ring[T]) Add(v T) {
	if len(r.buf) < r.cap {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % r.cap
	r.dropped++
}

// All yields pointers to the values, oldest first; they stay valid until the
// next Add or Reset.
func (r *Ring[T]) All() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for i := range r.buf {
			if !yield(&r.buf[(r.start+i)%len(r.buf)]) {
				return
			}
		}
	}
}

// Len is the number of values held.
func (r *Ring[T]) Len() int { return len(r.buf) }

// Dropped is how many values were dropped to make room since the last Reset.
func (r *Ring[T]) Dropped() int64 { return r.dropped }

// Reset empties the ring.
func (r *Ring[T]) Reset() { r.buf, r.start, r.dropped = nil, 0, 0 }
