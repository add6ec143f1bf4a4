package faults_test

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// Over a 2 MB body the throughput is within 10% of the limit.
// TestBandwidthNeverExceedsTheLimit: a loaded machine can only make the
// transfer slower, so the test asserts the bound the limiter promises (never
// faster than the limit, with 10 % for timer granularity) and only logs how
// close it came; how close is a measure, not a pass/fail.
func TestBandwidthNeverExceedsTheLimit(t *testing.T) {
	const size, limit = 2 << 20, 4 << 20 // 2 MiB at 4 MiB/s: 0.5 s
	s := newServer(t, size, `[{"action":{"type":"bandwidth","bytesPerSecond":4194304}}]`)
	resp := s.get(t, s.client(t))
	got := make([]byte, size)
	start := time.Now()
	_, err := io.ReadFull(resp.Body, got)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, s.body) {
		t.Fatal("the body is not intact")
	}
	rate := float64(size) / took.Seconds()
	t.Logf("2 MiB in %v: %.0f bytes/s for a limit of %d (%.1f%%)", took, rate, limit, 100*rate/limit)
	if rate > 1.1*limit {
		t.Errorf("throughput %.0f bytes/s exceeds the limit of %d", rate, limit)
	}
	note := s.note(t)
	t.Log(note)
	mustContain(t, note, "f1 bandwidth: sent 2097152 of 2097152 body bytes in ")
}
