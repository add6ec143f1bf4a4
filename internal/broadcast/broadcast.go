// Package broadcast is a change signal many waiters can select on: Changed
// returns a channel that Notify closes, so waking every waiter costs one close
// and no waiter can miss a change that happens between its query and its wait
// (it takes the channel first).
package broadcast

import "sync"

// Signal is a change signal; the zero value is ready to use.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// Changed returns a channel closed at the next Notify.
func (s *Signal) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Notify wakes every waiter of Changed.
func (s *Signal) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}
