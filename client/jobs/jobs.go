// Package jobs is the reference client's durable job state: one job per
// recording document, kept in an embedded bbolt database so that work accepted
// by the webhook survives a crash or a restart, and so that a document is
// downloaded once however often Event Grid delivers its event.
//
// A job moves Pending → Running → Done, or back to Pending with a later
// NotBefore after a retryable failure, or to Failed once its attempts are used
// up (or the failure is permanent). Jobs that were Running when the process
// died are Pending again when the store is reopened.
//
// The store also keeps what a resumable download needs to trust a partial file
// after a crash (the URL, ETag and total size it belongs to), beside the jobs.
package jobs

import (
	"errors"
	"fmt"
	"time"
)

// State is where a job is in its life.
type State string

// Job states.
const (
	Pending State = "pending"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// Job is the work for one recording document (one chunk): its media and its
// metadata.
type Job struct {
	// DocumentID identifies the chunk; it is the job's key.
	DocumentID string `json:"documentId"`
	// Index is the chunk's position in its recording.
	Index int `json:"index"`
	// RecordingID is taken from the event subject when it has one.
	RecordingID string `json:"recordingId,omitempty"`
	// Format is the recording format in lower case (wav, mp3, mp4), when known.
	Format string `json:"format,omitempty"`
	// ContentLocation, MetadataLocation and DeleteLocation are the event's
	// URLs. Empty locations mean the 2021 preview API on the endpoint.
	ContentLocation  string `json:"contentLocation,omitempty"`
	MetadataLocation string `json:"metadataLocation,omitempty"`
	DeleteLocation   string `json:"deleteLocation,omitempty"`
	// EventID is the id of the first event that asked for the document.
	EventID string `json:"eventId,omitempty"`

	State     State     `json:"state"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"lastError,omitempty"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	// NotBefore delays a retried job.
	NotBefore time.Time `json:"notBefore,omitzero"`
	// Files are the finished files, relative to the output folder.
	Files []string `json:"files,omitempty"`
	// Bytes is how many bytes the finished files hold.
	Bytes int64 `json:"bytes,omitempty"`
}

// Partial describes a partial download file: which resource its bytes came
// from, so a resumed download can ask for the rest with If-Range and check
// that the object did not change.
type Partial struct {
	URL  string `json:"url"`
	ETag string `json:"etag,omitempty"`
	// Size is the total size of the object the bytes belong to.
	Size int64 `json:"size"`
}

// ErrNotFound is returned for a document id the store does not know.
var ErrNotFound = errors.New("jobs: no such job")

// PermanentError marks a failure that retrying cannot fix (a refused host, a
// 404, a file larger than allowed): Fail moves the job straight to Failed.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError (nil stays nil).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err is, or wraps, a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

func (j Job) String() string {
	return fmt.Sprintf("job %s [%s, %d attempts]", j.DocumentID, j.State, j.Attempts)
}
