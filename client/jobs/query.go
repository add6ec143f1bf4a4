package jobs

import (
	"encoding/json"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// Get returns the job of a document; the error wraps ErrNotFound when there is none.
func (s *Store) Get(id string) (Job, error) {
	var j Job
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		j, err = get(tx, id)
		return err
	})
	return j, err
}

// List returns every job, ordered by document id.
func (s *Store) List() ([]Job, error) {
	var out []Job
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(_, v []byte) error {
			var j Job
			if err := json.Unmarshal(v, &j); err != nil {
				return err
			}
			out = append(out, j)
			return nil
		})
	})
	return out, err
}

// Counts returns how many jobs are in each state.
func (s *Store) Counts() (map[State]int, error) {
	jobs, err := s.List()
	if err != nil {
		return nil, err
	}
	out := map[State]int{}
	for _, j := range jobs {
		out[j.State]++
	}
	return out, nil
}

// SavePartial records what the partial file name holds bytes of.
func (s *Store) SavePartial(name string, p Partial) error {
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPartials).Put([]byte(name), v)
	})
}

// LoadPartial returns what SavePartial recorded for name; ok is false when
// nothing was.
func (s *Store) LoadPartial(name string) (p Partial, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPartials).Get([]byte(name))
		if v == nil {
			return nil
		}
		ok = true
		if err := json.Unmarshal(v, &p); err != nil {
			ok = false
			return errors.Join(errors.New("jobs: corrupt partial record "+name), err)
		}
		return nil
	})
	return p, ok, err
}

// DeletePartial forgets name's record (the file is finished or discarded).
func (s *Store) DeletePartial(name string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPartials).Delete([]byte(name))
	})
}
