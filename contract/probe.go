package contract

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/acsemu/acsemu/emulator/journal"
)

// prober asks the webhook, between the steps of a run, whether it still
// answers: an OPTIONS request without WebHook-Request-Origin, which no
// handler treats as an event. Any HTTP answer, even a 404 or 401, means
// alive; a refused or reset connection means the process is gone (crashed);
// two probes in a row without an answer within the timeout mean it hangs.
type prober struct {
	url    string
	client *http.Client

	mu       sync.Mutex
	sent, ok int
	timeouts int
	lastOK   time.Time
	down     *outage // the first outage seen; nil while alive
}

// outage is when and how the webhook stopped answering.
type outage struct {
	At    time.Time // when the failing probe was sent
	Hang  bool
	Error string
}

func newProber(url string, timeout time.Duration) *prober {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// The probe only asks whether something answers: it sends nothing
	// secret and does not need to trust the app's certificate.
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // liveness only, see above
	tr.DisableKeepAlives = true                                // a crashed process must show as refused, not as a stale pooled connection
	return &prober{url: url, client: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Down returns the outage seen, or nil.
func (p *prober) Down() *outage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

// Probe sends one probe unless an outage was already seen.
func (p *prober) Probe(ctx context.Context) {
	if p.Down() != nil {
		return
	}
	at := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, p.url, nil)
	if err != nil {
		return
	}
	req.Header.Set("User-Agent", "acsemu-contract-probe")
	resp, err := p.client.Do(req)
	if ctx.Err() != nil {
		return // the run ends; not the webhook's fault
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent++
	if err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		p.ok++
		p.timeouts = 0
		p.lastOK = at
		return
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		if p.timeouts++; p.timeouts >= 2 {
			p.down = &outage{At: at, Hang: true, Error: err.Error()}
		}
		return
	}
	p.down = &outage{At: at, Error: err.Error()}
}

// judgeAlive reports the outage the probes saw, with the storage fault that
// came just before it: the likely trigger.
func (r *run) judgeAlive(s *snapshot) {
	p := r.probe
	if p == nil {
		return
	}
	down := p.Down()
	p.mu.Lock()
	sent, ok := p.sent, p.ok
	p.mu.Unlock()
	if down == nil {
		r.set(CheckAlive, Pass, fmt.Sprintf("answered all %d probes between the steps (OPTIONS, within %s)", ok, ms(r.cfg.ProbeTimeout)))
		return
	}
	what := "stopped accepting connections: the process crashed or exited"
	if down.Hang {
		what = fmt.Sprintf("stopped answering (two probes without an answer within %s): it hangs", ms(r.cfg.ProbeTimeout))
	}
	details := []string{fmt.Sprintf("probe %d (after %d answered) at %s: %s", sent, ok, down.At.Format("15:04:05.000"), down.Error)}
	trigger := "no storage fault came before it"
	p.mu.Lock()
	lastOK := p.lastOK
	p.mu.Unlock()
	// A process can still answer a probe between receiving the answer that
	// kills it and exiting, so look a little before the last good probe.
	// and the server journals an answer only after the client has it, so an
	// answer may end (server-side) just after the failed probe was sent.
	if faults := faultsBefore(s, lastOK.Add(-crashSlack), down.At.Add(crashSlack)); len(faults) > 0 {
		e := faults[0]
		trigger = fmt.Sprintf("right after the storage answered %s", entryLine(e))
		details = append(details, fmt.Sprintf("%.2f s between that answer and the failed probe", down.At.Sub(e.Time.Add(e.Duration)).Seconds()))
		for _, other := range faults[1:] {
			details = append(details, "also since the last answered probe: "+entryLine(other))
		}
	}
	r.crashed = true
	r.set(CheckAlive, Fail, fmt.Sprintf("your webhook %s, %s. Handle storage errors (403, 404, 503, connection resets) where you download: log them, "+
		"retry or give up on that chunk, but keep the process serving; in Node.js catch every promise's rejection", what, trigger), details...)
}

// crashSlack is how long before its last answered probe a crashed webhook
// may have received the answer it died of.
const crashSlack = 2 * time.Second

// faultsBefore are the data-plane answers, injected faults or error
// statuses, that ended in (since, until): what the webhook saw around its
// last good probe and before the failed one. The likely trigger comes first: the
// last error status (the answer apps most often fail to handle, an unhandled
// rejection on a non-2xx), else the last fault to end. From the server's side
// two answers in flight at once cannot be told apart, so the others are
// returned too, to be named beside it.
func faultsBefore(s *snapshot, since, until time.Time) []journal.Entry {
	end := func(e journal.Entry) time.Time { return e.Time.Add(e.Duration) }
	var out []journal.Entry
	for _, es := range s.byDoc {
		for _, e := range es {
			if (e.Fault != "" || e.Status >= 400) && end(e).Before(until) && end(e).After(since) {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b journal.Entry) int {
		if ea, eb := a.Status >= 400, b.Status >= 400; ea != eb {
			if ea {
				return -1
			}
			return 1
		}
		return end(b).Compare(end(a))
	})
	return out
}
