package recordings

import (
	"fmt"
	"net/http"

	"github.com/acsemu/acsemu/emulator/wire"
)

// Defaults of Limits.
const (
	// DefaultMaxRecordings bounds how many recordings a store holds.
	DefaultMaxRecordings = 10_000
	// DefaultMaxStoredBytes bounds the media bytes of the live documents,
	// synthetic or uploaded: about twelve 48-hour 16-channel recordings.
	DefaultMaxStoredBytes = 1 << 40
	// DefaultMaxUploadedBytes bounds the bytes of uploaded media, which live in memory.
	DefaultMaxUploadedBytes = 2 << 30
)

// Limits bound what a store holds. Zero fields take the defaults.
type Limits struct {
	Recordings    int
	StoredBytes   int64
	UploadedBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.Recordings <= 0 {
		l.Recordings = DefaultMaxRecordings
	}
	if l.StoredBytes <= 0 {
		l.StoredBytes = DefaultMaxStoredBytes
	}
	if l.UploadedBytes <= 0 {
		l.UploadedBytes = DefaultMaxUploadedBytes
	}
	return l
}

// Usage is what a store holds now.
type Usage struct {
	Recordings    int
	StoredBytes   int64
	UploadedBytes int64
}

// SetLimits replaces the store's bounds (before it is used).
func (s *Store) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l.withDefaults()
}

// Limits reports the store's effective bounds.
func (s *Store) Limits() Limits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.limits
}

// Usage reports what the store holds.
func (s *Store) Usage() Usage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.usage
}

// insufficientStorage is the answer beyond a bound: 507, not 429, because
// waiting does not help; deleting documents or a reset does.
func insufficientStorage(format string, args ...any) error {
	return &wire.Error{Status: http.StatusInsufficientStorage, Code: "InsufficientStorage",
		Message: fmt.Sprintf(format, args...) + "; delete documents or POST /_emulator/reset, or raise the bound (see GET /_emulator/config)"}
}

// admitLocked checks that adding recordings, stored and uploaded bytes stays
// within the bounds; s.mu is held.
func (s *Store) admitLocked(recordings int, stored, uploaded int64) error {
	l, u := s.limits, s.usage
	switch {
	case u.Recordings+recordings > l.Recordings:
		return insufficientStorage("the emulator holds %d recordings, its bound", l.Recordings)
	case u.StoredBytes+stored > l.StoredBytes:
		return insufficientStorage("%d more media bytes would exceed the %d bytes the emulator holds at most (%d held)", stored, l.StoredBytes, u.StoredBytes)
	case u.UploadedBytes+uploaded > l.UploadedBytes:
		return insufficientStorage("%d more uploaded bytes would exceed the %d bytes of uploads held at most (%d held)", uploaded, l.UploadedBytes, u.UploadedBytes)
	}
	return nil
}

// mediaBytes is what a document's media counts against the bounds: stored, and uploaded.
func mediaBytes(d *Document) (stored, uploaded int64) {
	m := d.Media()
	if m == nil {
		return 0, 0
	}
	if m.uploaded {
		return m.Size(), m.Size()
	}
	return m.Size(), 0
}
