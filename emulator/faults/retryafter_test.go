package faults_test

import (
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/faults"
)

// A client that comes back before its Retry-After ran out (on the
// emulator's clock) is flagged and counted.
func TestRetryAfterViolations(t *testing.T) {
	for _, tc := range []struct{ name, params string }{
		{"seconds", `"retryAfter":2`},
		{"date", `"retryAfter":2,"retryAfterAsDate":true`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := clock.NewManual(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
			s := newServer(t, 100, `[{"when":{"times":1},"action":{"type":"status","status":503,`+tc.params+`}}]`,
				func(o *faults.Options) { o.Clock = m })
			c := s.client(t)
			readAll(t, s.get(t, c))
			mustContain(t, s.note(t), "f1 status: answered 503 with Retry-After: ")
			m.Advance(800 * time.Millisecond)
			readAll(t, s.get(t, c))
			if n := s.note(t); n != "retry-after-violation: came back after 0.8s of 2s" {
				t.Errorf("early return noted %q", n)
			}
			m.Advance(1300 * time.Millisecond)
			readAll(t, s.get(t, c))
			if n := s.note(t); n != "" {
				t.Errorf("return after 2.1s noted %q", n)
			}
			v := s.inj.Violations()
			if v.Count != 1 || len(v.Recent) != 1 || v.Recent[0].Rule != "f1" || v.Recent[0].Path != mediaPath || v.Recent[0].Client != "127.0.0.1" {
				t.Errorf("violations %+v", v)
			}
		})
	}
}
