package contract

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
	if e, ok := faultBefore(s, down.At); ok {
		trigger = fmt.Sprintf("right after the storage answered %s", entryLine(e))
		details = append(details, fmt.Sprintf("%.2f s between that answer and the failed probe", down.At.Sub(e.Time.Add(e.Duration)).Seconds()))
	}
	r.crashed = true
	r.set(CheckAlive, Fail, fmt.Sprintf("your webhook %s, %s. Handle storage errors (403, 404, 503, connection resets) where you download: log them, "+
		"retry or give up on that chunk, but keep the process serving; in Node.js catch every promise's rejection", what, trigger), details...)
}

// faultBefore is the last data-plane answer before t that was an injected
// fault or an error status.
func faultBefore(s *snapshot, t time.Time) (journal.Entry, bool) {
	var last journal.Entry
	found := false
	for _, es := range s.byDoc {
		for _, e := range es {
			if (e.Fault != "" || e.Status >= 400) && e.Time.Before(t) && (!found || e.Time.After(last.Time)) {
				last, found = e, true
			}
		}
	}
	return last, found
}
