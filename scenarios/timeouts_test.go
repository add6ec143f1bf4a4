package scenarios_test

import "time"

// Bounds of the asynchronous waits. They are generous for a loaded CI machine;
// a passing spec takes a small fraction of them.
const (
	// eventTimeout bounds an Event Grid delivery (or a subscription's drain),
	// retries included, at deliveryTimeScale.
	eventTimeout = 15 * time.Second
	// downloadTimeout bounds the reference client's download of a recording.
	downloadTimeout = 20 * time.Second
	// journalTimeout bounds the wait for a request to reach the journal: the
	// emulator journals a request once its handler returns, which may be just
	// after the client read the last byte.
	journalTimeout = 5 * time.Second
	// callbackTimeout bounds a Call Automation state callback.
	callbackTimeout = 10 * time.Second
)

// deliveryTimeScale runs Event Grid's retry schedule ten thousand times
// faster than real time: the 10 s first retry waits 1 ms.
const deliveryTimeScale = 0.0001
