package download_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
)

// onDisk records, for every request, the Range it asks and the bytes of the
// partial file at that moment.
type onDisk struct {
	base    http.RoundTripper
	partial string
	mu      sync.Mutex
	seen    []string // "range|bytes on disk"
}

func (o *onDisk) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/content/audio") {
		size := int64(0)
		if fi, err := os.Stat(o.partial); err == nil {
			size = fi.Size()
		}
		o.mu.Lock()
		o.seen = append(o.seen, r.Header.Get("Range")+"|"+strconv.FormatInt(size, 10))
		o.mu.Unlock()
	}
	return o.base.RoundTrip(r)
}

// Acceptance against the emulator's fault injector: every fault ends with the
// control plane's SHA-256, every resume starts exactly at the bytes on disk,
// and no request comes before its Retry-After (the emulator counts
// violations on its clock, which the downloader's sleeps advance).
func TestFaultAcceptance(t *testing.T) {
	cut := `{"id":"cut","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterPercent":35}}`
	for _, c := range []struct {
		name, rules string
		restarts    bool
		slept       time.Duration
	}{
		{"reset at byte 1", `[{"id":"r","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterBytes":1}}]`, false, 0},
		{"reset at 35%", "[" + cut + "]", false, 0},
		{"reset near the end", `[{"id":"r","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterPercent":99}}]`, false, 0},
		{"two resets", `[{"id":"r","match":{"target":"media"},"when":{"times":2},"action":{"type":"reset","afterPercent":30}}]`, false, 0},
		{"truncate", `[{"id":"t","match":{"target":"media"},"when":{"times":1},"action":{"type":"truncate","afterPercent":50}}]`, false, 0},
		{"503 retry-after seconds", `[{"id":"s","match":{"target":"media"},"when":{"times":1},"action":{"type":"status","status":503,"retryAfter":2}}]`, false, 2 * time.Second},
		{"503 retry-after date", `[{"id":"s","match":{"target":"media"},"when":{"times":1},"action":{"type":"status","status":503,"retryAfter":5,"retryAfterAsDate":true}}]`, false, 5 * time.Second},
		{"cut then 429", "[" + cut + `,{"id":"s","match":{"target":"media"},"when":{"times":1},"action":{"type":"status","status":429,"retryAfter":3}}]`, false, 3 * time.Second},
		{"ignored range", "[" + cut + `,{"id":"i","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"ignore-range"}}]`, true, 0},
		{"changed etag", "[" + cut + `,{"id":"e","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"etag-change"}}]`, true, 0},
		{"wrong content-range", "[" + cut + `,{"id":"w","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"wrong-content-range","shift":1}}]`, true, 0},
		{"stall", `[{"id":"st","match":{"target":"media"},"when":{"times":1},"action":{"type":"stall","afterBytes":30000,"duration":"30s"}}]`, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
			e := newEnv(t, emulator.Options{Seed: 40, Clock: clk})
			doc := e.recording(1, 300_000).Documents[0]
			ctx := context.Background()
			if _, err := e.srv.Control().AddFaultsJSON(ctx, []byte(c.rules)); err != nil {
				t.Fatal(err)
			}
			rec := &onDisk{base: newTransport(), partial: filepath.Join(e.dir, doc.ID+".media.partial")}
			s := &sleeper{clk: clk}
			// The stall watchdog runs on the wall clock: short only where a
			// stall fault needs it, so a loaded machine's pauses cannot fire it.
			stall := time.Minute
			if c.name == "stall" {
				stall = time.Second
			}
			d := e.downloader(download.Options{Transport: rec, Clock: clk, Sleep: s.sleep, StallTimeout: stall})
			res, err := d.Document(ctx, jobOf(doc))
			if err != nil {
				t.Fatal(err)
			}
			e.checkFiles(doc)
			for _, seen := range rec.seen {
				rng, size, _ := strings.Cut(seen, "|")
				if want := fmt.Sprintf("bytes=%s-", size); rng != "" && rng != want || rng == "" && size != "0" {
					t.Errorf("asked %q with %s bytes on disk", rng, size)
				}
			}
			if len(rec.seen) < 2 {
				t.Errorf("the fault never fired: requests %v", rec.seen)
			}
			if fired := e.count(api.RequestFilter{Target: journal.TargetMedia, Fault: " "}, 1); fired == 0 {
				t.Error("the journal shows no fault")
			}
			if v, _ := e.srv.Control().FaultViolations(ctx); v.Count != 0 {
				t.Errorf("Retry-After violated: %+v", v.Recent)
			}
			var total time.Duration
			for _, d := range s.got {
				total += d
			}
			if c.slept > 0 && total < c.slept {
				t.Errorf("slept %v, Retry-After asked %v", s.got, c.slept)
			}
			if f := res.Files[0]; (f.Restarts > 0) != c.restarts {
				t.Errorf("result %+v (requests %v)", f, rec.seen)
			}
			t.Logf("requests %v, result %+v", rec.seen, res.Files[0])
		})
	}
}
