// Package contract checks a user's own Event Grid webhook and recording
// downloader against an acsemu emulator: the logic behind `acsemu contract`
// and the area:contract Ginkgo specs.
//
// Run subscribes the webhook (Event Grid schema; the CloudEvents handshake is
// tried too, for information), then publishes four recordings, each with two
// chunks, and watches through the emulator's journal what the user's code does:
//
//   - recording A, no fault: the event is answered 200-204 fast, every chunk
//     and its metadata are downloaded exactly once;
//   - recording B: the first download of its first chunk is cut by a TCP
//     reset at 40 %; the client must ask for exactly the bytes it lacks;
//   - recording C: the first download of its first chunk gets a 503 with
//     Retry-After: 2; the client must not come back sooner;
//   - recording D: its event is delivered twice; the client must not
//     download it twice.
//
// With Config.OutputDir the files on disk are compared with the SHA-256 the
// emulator knows. Each check's Result says, in words, what the code did wrong.
//
//	srv, _ := emulator.New(emulator.Options{Addr: emulator.DefaultAddr})
//	report, err := contract.Run(ctx, contract.Config{Control: srv.Control(), Webhook: "http://127.0.0.1:8080/events"})
//	report.WriteText(os.Stdout)
package contract

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// Defaults of Config.
const (
	DefaultSubscription = "acsemu-contract"
	DefaultTimeout      = 30 * time.Second
	DefaultQuiet        = time.Second
	DefaultMaxLatency   = 2 * time.Second
	// DefaultIdle must exceed RetryAfterSeconds plus a client's own backoff.
	DefaultIdle         = 5 * time.Second
	DefaultProbeTimeout = 2 * time.Second
	// RetryAfterSeconds is the Retry-After of the 503 of the retry-after check.
	RetryAfterSeconds = 2
	// ResetPercent is where the reset check cuts the first chunk's download.
	ResetPercent = 40
	// ChunkSize is the size limit of the recordings' chunks (the first chunk
	// of each recording has exactly this size).
	ChunkSize = 409600
)

// Config configures Run.
type Config struct {
	// Control is the emulator's control plane (required). The emulator
	// should be the run's own: Run adds subscriptions, recordings and fault
	// rules to it.
	Control *control.Client
	// Webhook is the URL Event Grid would POST to (required), with any
	// query string it needs (a shared secret, for example).
	Webhook string
	// OutputDir, if set, is where the user's code writes the files: each
	// chunk's media must be found there with the right SHA-256.
	OutputDir string
	// WaitForWebhook is how long to wait for the webhook to accept
	// connections before starting (0: do not wait).
	WaitForWebhook time.Duration
	// Timeout bounds each wait for the user's code: deliveries to end and
	// downloads to finish (default 30 s).
	Timeout time.Duration
	// Idle ends the wait for downloads early: when no download request came
	// for this long (from the last delivery, or the last request), nothing
	// more is expected (default 5 s). A run with no download at all so ends
	// Idle after the last delivery.
	Idle time.Duration
	// ProbeTimeout is how long a probe of the webhook may wait for an answer
	// (default 2 s); two probes in a row without one count as a hang.
	ProbeTimeout time.Duration
	// Waivers are recommended checks the app deliberately does not follow,
	// by check ID, with the reason shown in the report. Waiving a required
	// or unknown check is an error (see ParseWaivers).
	Waivers map[string]string
	// Quiet is how long the journal must show no new download request before
	// the downloads count as finished, so that a second download is seen
	// (default 1 s).
	Quiet time.Duration
	// MaxLatency is the slowest acceptable answer to an event (default 2 s).
	MaxLatency time.Duration
	// Subscription names the Event Grid subscription (default acsemu-contract).
	Subscription string
	// Seed seeds the recordings (default 1).
	Seed int64
	// EntraAudience, if set, subscribes with Entra ID delivery auth for this
	// application id or URI, and checks that bad tokens are refused.
	EntraAudience string
	// CallbackURL, if set, is the app's Call Automation callback URL: the
	// contract sends it a callback with a forged JWT.
	CallbackURL string
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Quiet <= 0 {
		c.Quiet = DefaultQuiet
	}
	if c.Idle <= 0 {
		c.Idle = DefaultIdle
	}
	if c.ProbeTimeout <= 0 {
		c.ProbeTimeout = DefaultProbeTimeout
	}
	if c.MaxLatency <= 0 {
		c.MaxLatency = DefaultMaxLatency
	}
	if c.Subscription == "" {
		c.Subscription = DefaultSubscription
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// run is the state of one contract run.
type run struct {
	cfg     Config
	c       *control.Client
	results map[string]Result
	// rules are the fault rules added, removed at the end.
	rules []string
	probe *prober
	// crashed is set when the webhook stopped answering (CheckAlive).
	crashed bool
	// noDownloads is set when no download request arrived at all.
	noDownloads bool
}

// Run runs every check and returns the report. An error means the run itself
// could not go on (the emulator failed, ctx ended); what the user's code did
// wrong is in the report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg = cfg.withDefaults()
	if cfg.Control == nil {
		return Report{}, errors.New("contract: Config.Control is required")
	}
	u, err := url.Parse(cfg.Webhook)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Report{}, fmt.Errorf("contract: webhook %q is not an http(s) URL", cfg.Webhook)
	}
	if err := checkWaivers(cfg.Waivers); err != nil {
		return Report{}, err
	}
	emu, err := cfg.Control.Config(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("contract: the emulator does not answer: %w", err)
	}
	rep := Report{Webhook: cfg.Webhook, Emulator: emu.URL, Started: time.Now()}
	r := &run{cfg: cfg, c: cfg.Control, results: map[string]Result{}, probe: newProber(cfg.Webhook, cfg.ProbeTimeout)}
	err = r.all(ctx, u)
	r.cleanup()
	rep.RootCause = r.rootCause()
	r.waive()
	for _, ch := range Checks {
		res, ok := r.results[ch.ID]
		if !ok {
			res = Result{Verdict: Skipped, Message: "not run"}
			if v, ok := r.results[CheckValidation]; ok && v.Verdict == Fail {
				res.Message = "not run: Event Grid sends events only to a validated webhook"
			} else if ch.ID == CheckFiles && cfg.OutputDir == "" {
				res.Message = "not run: give the folder your code writes to (--output) to compare the files"
			}
		}
		if ch.ID == CheckAlive && !ok {
			res.Message = "not run"
		}
		res.Check = ch
		rep.Results = append(rep.Results, res)
	}
	rep.Duration = time.Since(rep.Started)
	return rep, err
}

func (r *run) set(id string, v Verdict, msg string, details ...string) {
	r.results[id] = Result{Verdict: v, Message: msg, Details: details}
}

func (r *run) all(ctx context.Context, u *url.URL) error {
	if r.cfg.WaitForWebhook > 0 {
		waitForListener(ctx, u, r.cfg.WaitForWebhook)
	}
	ok, err := r.validate(ctx)
	if err != nil || !ok {
		return err
	}
	r.probe.Probe(ctx)
	if err := r.cloudEvents(ctx); err != nil {
		return err
	}
	ex, err := r.exercise(ctx)
	if err != nil {
		return err
	}
	if r.noDownloads || r.crashed {
		// The attacks are judged by what the webhook downloads next; a
		// webhook that downloads nothing or is down cannot be judged.
		r.securityNotApplicable()
	} else if err := r.security(ctx); err != nil {
		return err
	}
	if r.cfg.OutputDir != "" && !r.noDownloads && !r.crashed {
		return r.checkFiles(ctx, ex.all())
	}
	return nil
}

// rootCause turns the failures that follow from one cause into not
// applicable: after a crash every failed check (the webhook could not do
// better), after a run without a single download the checks that judge
// downloads. It returns the cause, or "".
func (r *run) rootCause() string {
	var cause, because string
	var dependent func(Check) bool
	switch {
	case r.crashed:
		cause, because = CheckAlive, "your webhook had stopped answering"
		dependent = func(c Check) bool { return c.ID != CheckValidation && c.ID != CheckCloudEvents }
	case r.noDownloads:
		cause, because = CheckDownloadOnce, "no download request arrived"
		dependent = func(c Check) bool { return c.NeedsDownloads }
	default:
		return ""
	}
	for _, c := range Checks {
		res, ok := r.results[c.ID]
		if c.ID == cause || !dependent(c) || (ok && res.Verdict != Fail) {
			continue
		}
		msg := fmt.Sprintf("not applicable: %s (root cause: %s)", because, cause)
		// After a crash what was seen may still help; without any download
		// it would only repeat the root cause.
		var details []string
		if ok && r.crashed {
			details = append([]string{"what was seen: " + res.Message}, res.Details...)
		}
		r.results[c.ID] = Result{Verdict: NotApplicable, Message: msg, Details: details}
	}
	return cause + ": " + r.results[cause].Message
}

// cleanup removes the fault rules and the subscription, so that an emulator
// kept running afterwards serves normally.
func (r *run) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, id := range r.rules {
		_ = r.c.DeleteFault(ctx, id)
	}
	_ = r.c.ClearTokenFaults(ctx)
	_ = r.c.DeleteSubscription(ctx, r.cfg.Subscription)
}

// waitForListener waits until the webhook's host accepts TCP connections (the
// app under test may still be starting), at most d.
func waitForListener(ctx context.Context, u *url.URL, d time.Duration) {
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	_ = poll(ctx, 100*time.Millisecond, func() (bool, error) {
		var dl net.Dialer
		conn, err := dl.DialContext(ctx, "tcp", host)
		if err == nil {
			conn.Close()
		}
		return err == nil, nil
	})
}

// poll calls f every interval until it reports done, fails, or ctx ends (then
// it returns ctx's error).
func poll(ctx context.Context, interval time.Duration, f func() (bool, error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		done, err := f()
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// validate subscribes the webhook with the Event Grid schema. A webhook that
// answers 200 without the code is validated manually afterwards, so that the
// other checks still run.
func (r *run) validate(ctx context.Context) (bool, error) {
	spec := eventgrid.SubscriptionSpec{Name: r.cfg.Subscription, EndpointURL: r.cfg.Webhook,
		// Fail fast: a failed delivery is retried after 0.1 s, 0.3 s...
		RetryPolicy: eventgrid.RetryPolicy{MaxDeliveryAttempts: 3}, TimeScale: 0.01}
	r.entraAuth(&spec)
	start := time.Now()
	sub, err := r.c.CreateSubscription(ctx, spec)
	if err != nil {
		return false, fmt.Errorf("contract: create the subscription: %w", err)
	}
	took := time.Since(start)
	switch sub.ProvisioningState {
	case eventgrid.StateSucceeded:
		r.set(CheckValidation, Pass, fmt.Sprintf(`answered the validation event with {"validationResponse": code} in %s`, ms(took)))
		return true, nil
	case eventgrid.StateAwaitingManualAction:
		code := ""
		if v, err := url.Parse(sub.ValidationURL); err == nil {
			code = v.Query().Get("code")
		}
		r.set(CheckValidation, Fail, fmt.Sprintf(`your webhook answered 200 to the validation event without {"validationResponse": %q} in its body; `+
			`Event Grid would leave the subscription AwaitingManualAction until someone opens its validationUrl within 10 minutes, then mark it Failed. `+
			`Answer a POST with the header aeg-event-type: SubscriptionValidation with {"validationResponse": data.validationCode}`, code),
			"Event Grid: "+sub.ProvisioningDetail, "the other checks ran after the contract completed the validation through the validationUrl")
		if _, err := r.c.CompleteValidation(ctx, sub.Name, code); err != nil {
			return false, fmt.Errorf("contract: complete the validation: %w", err)
		}
		return true, nil
	default:
		details := []string{"the other checks need a validated subscription and did not run"}
		if strings.Contains(sub.FailureReason, "could not be reached") {
			details = append(details, fmt.Sprintf("nothing listens at %s: start your app first (acsemu contract waits --wait for it)", r.cfg.Webhook))
		}
		r.set(CheckValidation, Fail, "Event Grid could not validate your webhook, so it would never receive an event: "+sub.FailureReason, details...)
		return false, nil
	}
}

// cloudEvents tries the CloudEvents 1.0 OPTIONS handshake on a second
// subscription, deleted at once. Not granting it is only informational.
func (r *run) cloudEvents(ctx context.Context) error {
	name := r.cfg.Subscription + "-ce"
	spec := eventgrid.SubscriptionSpec{Name: name, EndpointURL: r.cfg.Webhook, EventDeliverySchema: eventgrid.CloudEventSchema}
	r.entraAuth(&spec)
	sub, err := r.c.CreateSubscription(ctx, spec)
	if err != nil {
		return fmt.Errorf("contract: create the CloudEvents subscription: %w", err)
	}
	if err := r.c.DeleteSubscription(ctx, name); err != nil {
		return fmt.Errorf("contract: delete the CloudEvents subscription: %w", err)
	}
	if sub.ProvisioningState == eventgrid.StateSucceeded {
		r.set(CheckCloudEvents, Pass, "granted the OPTIONS abuse-protection request (WebHook-Allowed-Origin)")
		return nil
	}
	reason := sub.FailureReason
	if reason == "" {
		reason = sub.ProvisioningDetail
	}
	r.set(CheckCloudEvents, Info, "your webhook does not grant the CloudEvents 1.0 OPTIONS handshake: fine with an Event Grid schema subscription, "+
		"but a CloudEvents subscription to it would fail. Answer OPTIONS with WebHook-Allowed-Origin: <the WebHook-Request-Origin> to support both",
		"Event Grid: "+reason)
	return nil
}

func ms(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return strconv.FormatFloat(d.Round(10*time.Millisecond).Seconds(), 'f', -1, 64) + " s"
}

// entraAuth asks for Entra ID delivery auth on spec when the run tests it.
func (r *run) entraAuth(spec *eventgrid.SubscriptionSpec) {
	if r.cfg.EntraAudience != "" {
		spec.AzureActiveDirectoryTenantID, spec.AzureActiveDirectoryApplicationIDOrURI = "acsemu-contract", r.cfg.EntraAudience
	}
}
