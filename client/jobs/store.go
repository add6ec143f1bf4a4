package jobs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/acsemu/acsemu/clock"
)

var (
	bucketJobs     = []byte("jobs")     // document id → Job (JSON)
	bucketQueue    = []byte("queue")    // 8-byte sequence → document id, oldest first
	bucketPartials = []byte("partials") // file name → Partial (JSON)
)

// DefaultMaxAttempts is how many times a job runs before it is Failed.
const DefaultMaxAttempts = 5

// Options configure Open.
type Options struct {
	// Clock dates jobs and decides when a delayed job is due; nil is the wall clock.
	Clock clock.Clock
	// MaxAttempts bounds the runs of a job (DefaultMaxAttempts if 0).
	MaxAttempts int
	// LockTimeout bounds the wait for another process holding the database
	// (default 2 s): two `acsrec serve` on one folder must not share it.
	LockTimeout time.Duration
	// Retention is how long a Done or Failed job is kept after its last
	// change before Prune deletes it (DefaultRetention if 0; negative keeps
	// jobs forever). While a job is kept, an event for its document is a
	// duplicate; Event Grid redelivers for at most 24 hours, so a retention
	// shorter than that can download a document twice.
	Retention time.Duration
}

// DefaultRetention keeps finished jobs a week: well past Event Grid's 24-hour
// redelivery window, short enough that the database stops growing.
const DefaultRetention = 7 * 24 * time.Hour

// pruneEvery is how often Add prunes (by the store's clock).
const pruneEvery = time.Hour

// Store is a durable set of jobs. It is safe for concurrent use.
type Store struct {
	db        *bolt.DB
	clock     clock.Clock
	max       int
	retention time.Duration
	wake      chan struct{}

	pruneMu   sync.Mutex
	lastPrune time.Time
}

// Open opens (or creates) the store at path and puts back in the queue the
// jobs a crashed process left Running.
func Open(path string, opts Options) (*Store, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 2 * time.Second
	}
	if opts.Retention == 0 {
		opts.Retention = DefaultRetention
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout})
	if err != nil {
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	s := &Store{db: db, clock: opts.Clock, max: opts.MaxAttempts, retention: opts.Retention, wake: make(chan struct{}, 1)}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketJobs, bucketQueue, bucketPartials} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return s.recover(tx)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	if _, err := s.Prune(); err != nil {
		db.Close()
		return nil, err
	}
	s.signal()
	return s, nil
}

// recover makes Running jobs Pending again: their process is gone.
func (s *Store) recover(tx *bolt.Tx) error {
	var stale []Job
	err := tx.Bucket(bucketJobs).ForEach(func(_, v []byte) error {
		var j Job
		if err := json.Unmarshal(v, &j); err != nil {
			return err
		}
		if j.State == Running {
			stale = append(stale, j)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, j := range stale {
		j.State, j.Updated = Pending, s.clock.Now()
		if err := s.enqueue(tx, j); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Wake receives a value when work may have become available; workers wait on
// it (and on the delay Next returns) instead of polling.
func (s *Store) Wake() <-chan struct{} { return s.wake }

func (s *Store) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Prune deletes the Done and Failed jobs unchanged for longer than the
// retention, so the database stops growing with every event ever received
// (bbolt reuses the freed pages; the file keeps its largest size). Open runs
// it, and Add at most once an hour. It returns how many jobs it deleted.
func (s *Store) Prune() (int, error) {
	if s.retention < 0 {
		return 0, nil
	}
	s.pruneMu.Lock()
	defer s.pruneMu.Unlock()
	now := s.clock.Now()
	s.lastPrune = now
	cutoff := now.Add(-s.retention)
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketJobs).Cursor()
		for k, v := c.First(); k != nil; {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("jobs: corrupt record for %q: %w", k, err)
			}
			if (j.State == Done || j.State == Failed) && j.Updated.Before(cutoff) {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
				k, v = c.Seek(k) // Delete leaves the cursor before the next key
				continue
			}
			k, v = c.Next()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: prune: %w", err)
	}
	return n, nil
}

// pruneIfDue prunes when the last prune is pruneEvery old.
func (s *Store) pruneIfDue() error {
	s.pruneMu.Lock()
	due := s.retention >= 0 && s.clock.Now().Sub(s.lastPrune) >= pruneEvery
	s.pruneMu.Unlock()
	if !due {
		return nil
	}
	_, err := s.Prune()
	return err
}

// Add stores new jobs as Pending, in one durable transaction: when Add
// returns nil they survive a crash. A job whose document id the store already
// has (in any state) is a duplicate and is skipped. It returns the jobs added.
func (s *Store) Add(jobs ...Job) ([]Job, error) {
	if err := s.pruneIfDue(); err != nil {
		return nil, err
	}
	var added []Job
	err := s.db.Update(func(tx *bolt.Tx) error {
		added = added[:0]
		b := tx.Bucket(bucketJobs)
		now := s.clock.Now()
		for _, j := range jobs {
			if j.DocumentID == "" {
				return fmt.Errorf("jobs: a job has no document id")
			}
			if b.Get([]byte(j.DocumentID)) != nil {
				continue
			}
			j.State, j.Attempts, j.LastError, j.Created, j.Updated = Pending, 0, "", now, now
			if err := s.enqueue(tx, j); err != nil {
				return err
			}
			added = append(added, j)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(added) > 0 {
		s.signal()
	}
	return added, nil
}

func put(tx *bolt.Tx, j Job) error {
	v, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketJobs).Put([]byte(j.DocumentID), v)
}

// enqueue stores j and appends it to the queue.
func (s *Store) enqueue(tx *bolt.Tx, j Job) error {
	if err := put(tx, j); err != nil {
		return err
	}
	q := tx.Bucket(bucketQueue)
	seq, err := q.NextSequence()
	if err != nil {
		return err
	}
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return q.Put(k[:], []byte(j.DocumentID))
}

func get(tx *bolt.Tx, id string) (Job, error) {
	v := tx.Bucket(bucketJobs).Get([]byte(id))
	if v == nil {
		return Job{}, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	var j Job
	if err := json.Unmarshal(v, &j); err != nil {
		return Job{}, fmt.Errorf("jobs: corrupt record for %q: %w", id, err)
	}
	return j, nil
}

// Next claims the oldest due Pending job: it becomes Running with one more
// attempt. With none due, ok is false and wait is how long until the next
// delayed job is due (0 when nothing is pending at all).
func (s *Store) Next() (j Job, ok bool, wait time.Duration, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		now := s.clock.Now()
		c := tx.Bucket(bucketQueue).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			cand, err := get(tx, string(v))
			if err != nil || cand.State != Pending {
				// A stale queue entry (the job moved on): drop it.
				if err := c.Delete(); err != nil {
					return err
				}
				continue
			}
			if d := cand.NotBefore.Sub(now); d > 0 {
				if wait == 0 || d < wait {
					wait = d
				}
				continue
			}
			if err := c.Delete(); err != nil {
				return err
			}
			cand.State, cand.Updated = Running, now
			cand.Attempts++
			j, ok, wait = cand, true, 0
			return put(tx, cand)
		}
		return nil
	})
	if ok {
		s.signal() // there may be more: let another worker look
	}
	return j, ok, wait, err
}

// update applies fn to the job id under a write transaction.
func (s *Store) update(id string, fn func(tx *bolt.Tx, j *Job) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		j, err := get(tx, id)
		if err != nil {
			return err
		}
		j.Updated = s.clock.Now()
		return fn(tx, &j)
	})
}

// Complete marks a job Done with the files it produced.
func (s *Store) Complete(id string, files []string, bytes int64) error {
	return s.update(id, func(tx *bolt.Tx, j *Job) error {
		j.State, j.LastError, j.NotBefore, j.Files, j.Bytes = Done, "", time.Time{}, files, bytes
		return put(tx, *j)
	})
}

// Fail records a failed run. A permanent error (see Permanent), or a job that
// used MaxAttempts, becomes Failed; otherwise the job is Pending again, due
// after retryIn. It reports the state the job ended in.
func (s *Store) Fail(id string, cause error, retryIn time.Duration) (State, error) {
	var st State
	err := s.update(id, func(tx *bolt.Tx, j *Job) error {
		j.LastError = cause.Error()
		if IsPermanent(cause) || j.Attempts >= s.max {
			j.State = Failed
			st = Failed
			return put(tx, *j)
		}
		j.State, j.NotBefore, st = Pending, j.Updated.Add(retryIn), Pending
		return s.enqueue(tx, *j)
	})
	if err == nil && st == Pending {
		s.signal()
	}
	return st, err
}

// Release puts a Running job back in the queue without counting the attempt:
// the run was interrupted (shutdown), not failed.
func (s *Store) Release(id string) error {
	err := s.update(id, func(tx *bolt.Tx, j *Job) error {
		if j.State != Running {
			return nil
		}
		j.State = Pending
		if j.Attempts > 0 {
			j.Attempts--
		}
		return s.enqueue(tx, *j)
	})
	if err == nil {
		s.signal()
	}
	return err
}

// Retry puts a Failed (or Done) job back in the queue with its attempts reset:
// an operator's decision, never an event's.
func (s *Store) Retry(id string) error {
	err := s.update(id, func(tx *bolt.Tx, j *Job) error {
		if j.State == Pending || j.State == Running {
			return nil
		}
		j.State, j.Attempts, j.NotBefore = Pending, 0, time.Time{}
		return s.enqueue(tx, *j)
	})
	if err == nil {
		s.signal()
	}
	return err
}
