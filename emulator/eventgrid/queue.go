package eventgrid

import (
	"container/heap"
	"time"
)

// fifo is a queue of events waiting for their first attempt.
type fifo struct {
	items []*event
	head  int
}

func (q *fifo) len() int { return len(q.items) - q.head }

func (q *fifo) push(ev *event) { q.items = append(q.items, ev) }

func (q *fifo) peek() *event { return q.items[q.head] }

func (q *fifo) pop() *event {
	ev := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head >= 1024 && q.head*2 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return ev
}

// batch is a set of events delivered together; it is retried as a whole.
type batch struct {
	events []*event
	// attempt is the number of the next attempt (0-based).
	attempt int
	// nominal is the nominal time of the next attempt; due the clock time
	// it may start.
	nominal time.Time
	due     time.Time
	// What the previous attempt gave.
	lastStatus  int
	lastOutcome string
	lastNominal time.Time
	index       int
}

// batchHeap orders batches awaiting a retry by due time.
type batchHeap []*batch

func (h batchHeap) Len() int { return len(h) }
func (h batchHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].nominal.Before(h[j].nominal)
}
func (h batchHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *batchHeap) Push(x any) {
	b := x.(*batch)
	b.index = len(*h)
	*h = append(*h, b)
}
func (h *batchHeap) Pop() any {
	old := *h
	n := len(old)
	b := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return b
}

func (h *batchHeap) push(b *batch) { heap.Push(h, b) }
func (h *batchHeap) pop() *batch   { return heap.Pop(h).(*batch) }
