package journal

// Changed returns a channel that is closed at the next Add or Reset. Waiters
// (the control plane's long poll, the dashboard's event stream) select on it
// instead of polling, then query again: a closed channel is a broadcast that
// costs nothing per waiter and can never be missed between query and wait.
//
// Take the channel before querying, so an entry added in between still wakes
// the waiter.
func (j *Journal) Changed() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.changed == nil {
		j.changed = make(chan struct{})
	}
	return j.changed
}

// LastID is the ID of the newest entry ever added (0 when none): a cursor a
// waiter passes as Filter.AfterID to see only what comes next.
func (j *Journal) LastID() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.lastID
}

// notifyLocked wakes every waiter of Changed; j.mu is held.
func (j *Journal) notifyLocked() {
	if j.changed != nil {
		close(j.changed)
		j.changed = nil
	}
}
