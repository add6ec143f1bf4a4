package recordings

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
)

// Contents up to these sizes are hashed on the spot rather than queued: by a
// status (metadata documents, a few KB) and by a waiter (1 MiB, about a
// millisecond).
const (
	statusInlineLimit = 64 << 10
	waitInlineLimit   = 1 << 20
)

// DefaultHashConcurrency bounds the SHA-256 computed at once in the background.
const DefaultHashConcurrency = 2

// hashState is a content's SHA-256: not started, queued or running, or done.
type hashState struct {
	mu   sync.Mutex
	done chan struct{} // nil until started; closed when sum or err is set
	sum  string
	err  error
}

// Hasher computes content hashes in the background with a fixed number of
// workers, smallest content first (so a one-minute test recording is not
// queued behind 1.5 GB chunks), and stops them when closed. Creating a
// recording hashes nothing: a 48-hour, 16-channel WAV is 88 GB, over a
// minute of hashing.
type Hasher struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	queue  bySize
	wake   *sync.Cond
	closed bool
}

// NewHasher starts a hasher with n workers (DefaultHashConcurrency if n <= 0).
func NewHasher(n int) *Hasher {
	if n <= 0 {
		n = DefaultHashConcurrency
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hasher{ctx: ctx, cancel: cancel}
	h.wake = sync.NewCond(&h.mu)
	for range n {
		h.wg.Go(h.work)
	}
	return h
}

// Close stops the workers, failing the hashes not finished, and waits for them.
func (h *Hasher) Close() {
	h.mu.Lock()
	h.closed = true
	queued := h.queue
	h.queue = nil
	h.wake.Broadcast()
	h.mu.Unlock()
	h.cancel()
	for _, c := range queued {
		c.finishHash("", fmt.Errorf("hash content: %w", context.Canceled))
	}
	h.wg.Wait()
}

func (h *Hasher) work() {
	for {
		h.mu.Lock()
		for len(h.queue) == 0 && !h.closed {
			h.wake.Wait()
		}
		if h.closed {
			h.mu.Unlock()
			return
		}
		c := heap.Pop(&h.queue).(*Content)
		h.mu.Unlock()
		c.finishHash(hashContent(h.ctx, c))
	}
}

// claim marks c started and reports whether the caller must see to it, with
// the channel closed when its hash is known.
func claim(c *Content) (<-chan struct{}, bool) {
	c.hash.mu.Lock()
	defer c.hash.mu.Unlock()
	if c.hash.done != nil {
		return c.hash.done, false
	}
	c.hash.done = make(chan struct{})
	return c.hash.done, true
}

// start begins hashing c unless it has begun: here when it is at most
// inline bytes, else in the queue.
func (h *Hasher) start(c *Content, inline int64) <-chan struct{} {
	done, mine := claim(c)
	if !mine {
		return done
	}
	if c.Size() <= inline {
		c.finishHash(hashContent(context.Background(), c))
		return done
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		c.finishHash("", fmt.Errorf("hash content: %w", context.Canceled))
		return done
	}
	heap.Push(&h.queue, c)
	h.wake.Signal()
	return done
}

// Status returns c's hash if known; otherwise it starts computing it and
// reports it pending.
func (h *Hasher) Status(c *Content) (sum string, pending bool, err error) {
	select {
	case <-h.start(c, statusInlineLimit):
		return c.hash.sum, false, c.hash.err
	default:
		return "", true, nil
	}
}

// Peek returns c's hash if known, without starting anything.
func (h *Hasher) Peek(c *Content) (sum string, pending bool, err error) {
	c.hash.mu.Lock()
	done := c.hash.done
	c.hash.mu.Unlock()
	if done == nil {
		return "", true, nil
	}
	select {
	case <-done:
		return c.hash.sum, false, c.hash.err
	default:
		return "", true, nil
	}
}

// Wait returns c's hash, computing it if need be, or ctx's error.
func (h *Hasher) Wait(ctx context.Context, c *Content) (string, error) {
	select {
	case <-h.start(c, waitInlineLimit):
		return c.hash.sum, c.hash.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// WaitDocuments waits for the media and metadata hashes of every document.
func (h *Hasher) WaitDocuments(ctx context.Context, docs []*Document) error {
	for _, d := range docs {
		for _, c := range []*Content{d.Media(), d.Metadata()} {
			if _, err := h.Wait(ctx, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Content) finishHash(sum string, err error) {
	c.hash.mu.Lock()
	defer c.hash.mu.Unlock()
	c.hash.sum, c.hash.err = sum, err
	close(c.hash.done)
}

// hashContent reads c in 1 MiB steps, stopping when ctx ends.
func hashContent(ctx context.Context, c *Content) (string, error) {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	r := io.NewSectionReader(c.Data, 0, c.Size())
	for {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("hash content: %w", err)
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", fmt.Errorf("hash content: %w", err)
		}
	}
}

// bySize is a min-heap of contents by size.
type bySize []*Content

func (q bySize) Len() int           { return len(q) }
func (q bySize) Less(i, j int) bool { return q[i].Size() < q[j].Size() }
func (q bySize) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *bySize) Push(x any)        { *q = append(*q, x.(*Content)) }
func (q *bySize) Pop() any {
	old := *q
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return c
}
