package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/tokens"
)

// The security checks: the webhook is attacked the way anyone who can reach
// it (a web page, another process, a compromised event source) could, and
// must neither act on the forgery nor leak its credentials.
const (
	CheckRefusesUnauthenticated = "refuses-unauthenticated"
	CheckForeignHost            = "foreign-host-not-fetched"
	CheckOtherDocument          = "other-document-not-touched"
	CheckTokenFaults            = "refuses-bad-tokens"
	CheckForgedCallback         = "refuses-forged-callback"
)

// securityChecks are listed in Checks, one line each.
var (
	checkRefusesUnauthenticated = Check{ID: CheckRefusesUnauthenticated, Title: "refuses a delivery without the subscription's secret, before any work", Class: Required}
	checkForeignHost            = Check{ID: CheckForeignHost, Title: "never fetches a location on a host other than the storage host", Class: Required}
	checkOtherDocument          = Check{ID: CheckOtherDocument, Title: "never acts on an event whose locations name another document", Class: Required}
	checkTokenFaults            = Check{ID: CheckTokenFaults, Title: "refuses deliveries with an invalid, expired or wrong-audience token", Class: Required}
	checkForgedCallback         = Check{ID: CheckForgedCallback, Title: "refuses a Call Automation callback with a forged JWT", Class: Required}
)

// canary is a listener on a host that is not the storage host: a client that
// follows a forged location ends up here, and the canary notes whether the
// request carried an HMAC signature (the worst failure: a leaked signature).
type canary struct {
	srv *http.Server
	url string

	mu   sync.Mutex
	hits []canaryHit
}

type canaryHit struct {
	method, path, authorization string
}

func startCanary() (*canary, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("contract: start the canary listener: %w", err)
	}
	c := &canary{url: "http://" + ln.Addr().String()}
	c.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.hits = append(c.hits, canaryHit{method: r.Method, path: r.URL.Path, authorization: r.Header.Get("Authorization")})
		c.mu.Unlock()
		http.NotFound(w, r)
	})}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

func (c *canary) close() { _ = c.srv.Close() }

func (c *canary) seen() []canaryHit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]canaryHit(nil), c.hits...)
}

// securityRun holds the recordings of the security checks and what the
// unauthenticated post got.
type securityRun struct {
	unauth, foreign, victimA, victimB, sentinel api.Recording
	unauthStatus                                int
	unauthErr                                   error
	canary                                      *canary
	tokenAttempts                               map[tokens.Fault]api.Recording
}

// security runs the security checks after the behaviour checks: it sends the
// forged events, then one genuine event (the sentinel) and waits for its
// download, so that an app working through a queue has reached the forgeries
// too; then it judges what the journal and the canary saw.
func (r *run) security(ctx context.Context) error {
	var sr securityRun
	for i, p := range []*api.Recording{&sr.unauth, &sr.foreign, &sr.victimA, &sr.victimB, &sr.sentinel} {
		rec, err := r.c.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(2 * time.Second),
			Seed: r.cfg.Seed + 100 + int64(i), NoEvent: true})
		if err != nil {
			return fmt.Errorf("contract: create a recording: %w", err)
		}
		*p = rec
	}
	var err error
	if sr.canary, err = startCanary(); err != nil {
		return err
	}
	defer sr.canary.close()

	// 1. A genuine-looking event without the secret (and without a token).
	sr.unauthStatus, sr.unauthErr = r.postUnauthenticated(ctx, sr.unauth)

	// 2. Locations on the canary's host, paths as the storage's.
	foreign := chunksOf(sr.foreign)
	for i := range foreign {
		for _, loc := range []*string{&foreign[i].Content, &foreign[i].Metadata, &foreign[i].Delete} {
			*loc = rehost(*loc, sr.canary.url)
		}
	}
	if err := r.publishChunks(ctx, sr.foreign, foreign); err != nil {
		return err
	}

	// 3. An event for A's document whose locations are B's.
	poisoned := chunksOf(sr.victimA)[:1]
	b := chunksOf(sr.victimB)[0]
	poisoned[0].Locations = b.Locations
	if err := r.publishChunks(ctx, sr.victimA, poisoned); err != nil {
		return err
	}

	// 4. Bad tokens, when the webhook uses Entra ID delivery auth.
	if r.cfg.EntraAudience != "" {
		sr.tokenAttempts = map[tokens.Fault]api.Recording{}
		for i, f := range []tokens.Fault{tokens.FaultMissing, tokens.FaultExpired, tokens.FaultWrongSignature, tokens.FaultWrongAudience} {
			rec, err := r.c.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(2 * time.Second), Seed: r.cfg.Seed + 200 + int64(i), NoEvent: true})
			if err != nil {
				return fmt.Errorf("contract: create a recording: %w", err)
			}
			if _, err := r.c.AddTokenFault(ctx, tokens.FaultRule{Fault: f, Purpose: tokens.ForDelivery, Count: 1}); err != nil {
				return fmt.Errorf("contract: add a token fault: %w", err)
			}
			if err := r.publish(ctx, rec); err != nil {
				return err
			}
			sr.tokenAttempts[f] = rec
		}
	}

	// The sentinel: genuine, and downloaded after the forgeries.
	if err := r.publish(ctx, sr.sentinel); err != nil {
		return err
	}
	r.waitForDownloads(ctx, []api.Recording{sr.sentinel})
	snap, err := r.snapshot(ctx)
	if err != nil {
		return err
	}
	r.judgeUnauthenticated(snap, sr)
	r.judgeForeignHost(sr.canary.seen(), sr.canary.url)
	r.judgeOtherDocument(snap, sr.victimA, sr.victimB)
	r.judgeTokens(snap, sr.tokenAttempts)
	return r.forgedCallback(ctx)
}

func chunksOf(rec api.Recording) []recordings.EventChunk {
	out := make([]recordings.EventChunk, 0, len(rec.Documents))
	for _, d := range rec.Documents {
		out = append(out, recordings.EventChunk{DocumentID: d.ID, Index: d.Index, EndReason: d.EndReason,
			Locations: recordings.Locations{Content: d.ContentLocation, Metadata: d.MetadataLocation, Delete: d.DeleteLocation}})
	}
	return out
}

// rehost puts loc on base's scheme and host, keeping its path.
func rehost(loc, base string) string {
	u, err := url.Parse(loc)
	b, err2 := url.Parse(base)
	if err != nil || err2 != nil {
		return base
	}
	u.Scheme, u.Host = b.Scheme, b.Host
	return u.String()
}

// eventBody is the Event Grid schema delivery of rec's event with chunks.
func eventBody(rec api.Recording, chunks []recordings.EventChunk) (json.RawMessage, error) {
	var data recordings.EventData
	data.RecordingStorageInfo.RecordingChunks = chunks
	data.RecordingStartTime, data.RecordingDurationMs, data.SessionEndReason = rec.StartTime, rec.DurationMs, "CallEnded"
	data.RecordingContentType, data.RecordingChannelType, data.RecordingFormatType = title(rec.ContentType), title(rec.ChannelType), title(rec.Format)
	return json.Marshal(data)
}

// publishChunks delivers rec's event with the given chunks through the
// subscription, and waits until the delivery is over.
func (r *run) publishChunks(ctx context.Context, rec api.Recording, chunks []recordings.EventChunk) error {
	raw, err := eventBody(rec, chunks)
	if err != nil {
		return err
	}
	if _, err := r.c.PublishEvents(ctx, eventgrid.Event{Subject: rec.Subject, EventType: recordings.EventType, DataVersion: "1.0", Data: raw}); err != nil {
		return fmt.Errorf("contract: publish the recording event: %w", err)
	}
	err = r.c.Drain(ctx, r.cfg.Subscription, r.cfg.Timeout)
	var ae *control.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusRequestTimeout {
		return nil
	}
	return err
}

// postUnauthenticated posts rec's event as Event Grid would (headers, JSON),
// to the webhook URL without its query string and without a token.
func (r *run) postUnauthenticated(ctx context.Context, rec api.Recording) (int, error) {
	u, err := url.Parse(r.cfg.Webhook)
	if err != nil {
		return 0, err
	}
	u.RawQuery = ""
	data, err := eventBody(rec, chunksOf(rec))
	if err != nil {
		return 0, err
	}
	body, err := json.Marshal([]map[string]any{{"id": "forged-" + rec.ID, "topic": "/subscriptions/forged", "subject": rec.Subject,
		"eventType": recordings.EventType, "eventTime": time.Now().UTC().Format(time.RFC3339), "dataVersion": "1.0", "metadataVersion": "1", "data": data}})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("aeg-event-type", "Notification")
	req.Header.Set("aeg-subscription-name", strings.ToUpper(r.cfg.Subscription))
	req.Header.Set("aeg-delivery-count", "0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// touched lists the data-plane requests for rec's documents.
func touched(s *snapshot, rec api.Recording) []string {
	var out []string
	for _, d := range rec.Documents {
		for _, e := range s.byDoc[d.ID] {
			out = append(out, fmt.Sprintf("%s %s -> %d", e.Method, e.Path, e.Status))
		}
	}
	return out
}

func (r *run) judgeUnauthenticated(s *snapshot, sr securityRun) {
	what := "the ?code= secret of the subscription URL"
	if r.cfg.EntraAudience != "" {
		what = "a bearer token"
	}
	if !strings.Contains(r.cfg.Webhook, "?") && r.cfg.EntraAudience == "" {
		what = "any credentials (the webhook URL has no ?code= secret and no --entra-audience was given)"
	}
	reqs := touched(s, sr.unauth)
	switch {
	case sr.unauthErr != nil:
		r.set(CheckRefusesUnauthenticated, Fail, fmt.Sprintf("could not test: posting an event without credentials failed: %v", sr.unauthErr))
	case len(reqs) > 0:
		r.set(CheckRefusesUnauthenticated, Fail, fmt.Sprintf("your webhook answered %d to a delivery without %s and then downloaded the recording it named: "+
			"anyone who can reach your webhook (a web page, another process) can make it download and store what they choose. "+
			"Put a secret in the subscription URL (?code=...) or use Entra ID delivery auth, and answer 401 before doing any work when it is missing or wrong",
			sr.unauthStatus, what), reqs...)
	case sr.unauthStatus != http.StatusUnauthorized && sr.unauthStatus != http.StatusForbidden:
		r.set(CheckRefusesUnauthenticated, Fail, fmt.Sprintf("your webhook answered %d to a delivery without %s (it did not download it): "+
			"answer 401 or 403 before reading the body, so that a forged event costs nothing and the sender learns nothing", sr.unauthStatus, what))
	default:
		r.set(CheckRefusesUnauthenticated, Pass, fmt.Sprintf("answered %d to a delivery without %s, and downloaded nothing", sr.unauthStatus, what))
	}
}

func (r *run) judgeForeignHost(hits []canaryHit, canaryURL string) {
	if len(hits) == 0 {
		r.set(CheckForeignHost, Pass, "did not fetch the contentLocation, metadataLocation or deleteLocation of an event that named another host ("+canaryURL+")")
		return
	}
	var details []string
	signed := ""
	for _, h := range hits {
		details = append(details, fmt.Sprintf("%s %s%s (Authorization: %q)", h.method, canaryURL, h.path, clipAuth(h.authorization)))
		if strings.HasPrefix(strings.ToUpper(h.authorization), "HMAC-SHA256") && signed == "" {
			signed = h.method + " " + h.path
		}
	}
	if signed != "" {
		r.set(CheckForeignHost, Fail, fmt.Sprintf("LEAKED SIGNATURE: your client sent an HMAC-signed request (%s) to %s, a host named by an event but not the storage host: "+
			"whoever controls an event's locations collects requests signed with your access key. Check that every location is on the storage host "+
			"(for example *.asm.skype.com) before signing or fetching it, and refuse the chunk otherwise", signed, canaryURL), details...)
		return
	}
	r.set(CheckForeignHost, Fail, fmt.Sprintf("your client sent %d requests to %s, a host named by an event but not the storage host (unsigned, but a forged event can "+
		"make your app reach any address): check that every location is on the storage host before fetching it", len(hits), canaryURL), details...)
}

func clipAuth(v string) string {
	if len(v) > 40 {
		return v[:40] + "..."
	}
	return v
}

func (r *run) judgeOtherDocument(s *snapshot, a, b api.Recording) {
	reqs := touched(s, b)
	if len(reqs) == 0 {
		r.set(CheckOtherDocument, Pass, fmt.Sprintf("ignored an event for document %s whose locations named document %s", a.Documents[0].ID, b.Documents[0].ID))
		return
	}
	deleted := ""
	for _, e := range s.byDoc[b.Documents[0].ID] {
		if e.Method == http.MethodDelete {
			deleted = " and DELETED it from the service"
		}
	}
	r.set(CheckOtherDocument, Fail, fmt.Sprintf("your client acted on an event for document %s whose locations named document %s: it requested %s's files%s. "+
		"A poisoned event then overwrites %s's file with another recording and makes the genuine event look like a duplicate. "+
		"Check that each location's path names the chunk's documentId (/v1/objects/{documentId}/...) and refuse the chunk otherwise",
		a.Documents[0].ID, b.Documents[0].ID, b.Documents[0].ID, deleted, a.Documents[0].ID), reqs...)
}

// tokenFaultWords describe each token fault in a report.
var tokenFaultWords = map[tokens.Fault]string{
	tokens.FaultMissing:        "missing",
	tokens.FaultExpired:        "expired",
	tokens.FaultWrongSignature: "signed by a key the issuer never published",
	tokens.FaultWrongAudience:  "issued for another audience",
}

func (r *run) judgeTokens(s *snapshot, tried map[tokens.Fault]api.Recording) {
	if tried == nil {
		r.set(CheckTokenFaults, Skipped, "not run: your subscription uses no Entra ID delivery auth (give --entra-audience to test token validation)")
		return
	}
	var problems []string
	for _, f := range []tokens.Fault{tokens.FaultMissing, tokens.FaultExpired, tokens.FaultWrongSignature, tokens.FaultWrongAudience} {
		rec := tried[f]
		if reqs := touched(s, rec); len(reqs) > 0 {
			problems = append(problems, fmt.Sprintf("your webhook accepted a delivery whose bearer token was %s and downloaded the recording (%s)", tokenFaultWords[f], reqs[0]))
		}
	}
	if len(problems) > 0 {
		r.set(CheckTokenFaults, Fail, problems[0]+": validate the bearer token's signature (the issuer's JWKS), issuer, audience and expiry "+
			"with a maintained JWT library, and answer 401 before any work", problems[1:]...)
		return
	}
	r.set(CheckTokenFaults, Pass, "refused deliveries with a missing, expired, wrongly signed and wrong-audience token, and downloaded nothing")
}

// forgedCallback starts a Call Automation recording whose state callback goes
// to Config.CallbackURL, signed with a key the issuer never published, and
// judges the app's answer.
func (r *run) forgedCallback(ctx context.Context) error {
	if r.cfg.CallbackURL == "" {
		r.set(CheckForgedCallback, Skipped, "not run: give your Call Automation callback URL (--callback) to test its JWT validation")
		return nil
	}
	emu, err := r.c.Config(ctx)
	if err != nil {
		return fmt.Errorf("contract: read the emulator's configuration: %w", err)
	}
	cs, err := signer.ParseConnectionString(emu.ConnectionString)
	if err != nil {
		r.set(CheckForgedCallback, Skipped, "not run: the emulator uses a custom access key, which the contract cannot read to start a call")
		return nil
	}
	if _, err := r.c.AddTokenFault(ctx, tokens.FaultRule{Fault: tokens.FaultWrongSignature, Purpose: tokens.ForCallback, Count: 1}); err != nil {
		return fmt.Errorf("contract: add a token fault: %w", err)
	}
	after, err := r.c.Requests(ctx, api.RequestFilter{Plane: calling.PlaneCallback, Limit: 1})
	if err != nil {
		return fmt.Errorf("contract: read the journal: %w", err)
	}
	var lastID int64
	if len(after) > 0 {
		lastID = after[0].ID
	}
	body, _ := json.Marshal(map[string]any{"callLocator": map[string]string{"serverCallId": "Y29udHJhY3QtZm9yZ2VkLWNhbGxiYWNr", "kind": "serverCallLocator"},
		"recordingStateCallbackUri": r.cfg.CallbackURL})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(emu.URL, "/")+"/calling/recordings?api-version="+api.CallAutomationAPIVersion, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := signer.New(cs).Client().Do(req)
	if err != nil {
		return fmt.Errorf("contract: start a call recording: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("contract: start a call recording: %d", resp.StatusCode)
	}
	var got *journal.Entry
	wctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	_ = poll(wctx, 50*time.Millisecond, func() (bool, error) {
		es, err := r.c.Requests(wctx, api.RequestFilter{Plane: calling.PlaneCallback, AfterID: lastID, Limit: 1})
		if err == nil && len(es) > 0 {
			got = &es[0]
		}
		return got != nil, nil
	})
	switch {
	case got == nil:
		r.set(CheckForgedCallback, Fail, fmt.Sprintf("the emulator could not deliver a callback to %s within %s", r.cfg.CallbackURL, r.cfg.Timeout))
	case got.Status == http.StatusUnauthorized || got.Status == http.StatusForbidden:
		r.set(CheckForgedCallback, Pass, fmt.Sprintf("answered %d to a callback whose JWT was signed by a key the issuer never published", got.Status))
	case got.Status == 0:
		r.set(CheckForgedCallback, Fail, fmt.Sprintf("the callback to %s failed: %s", r.cfg.CallbackURL, got.Error))
	default:
		r.set(CheckForgedCallback, Fail, fmt.Sprintf("your app answered %d to a Call Automation callback whose JWT was signed by a key not in the issuer's JWKS: "+
			"anyone can then post fake call events to it. Validate the token's signature against %s/calling/keys, its issuer and its audience "+
			"(your ACS resource's immutable id) with a maintained JWT library, and answer 401 otherwise", got.Status, strings.TrimRight(emu.URL, "/")))
	}
	return nil
}

// securityNotApplicable marks the security checks not applicable when the
// webhook downloaded nothing or stopped answering: each attack is judged by
// what the webhook downloads after it, which such a run cannot show.
func (r *run) securityNotApplicable() {
	because := "no download request arrived (root cause: " + CheckDownloadOnce + ")"
	if r.crashed {
		because = "your webhook had stopped answering (root cause: " + CheckAlive + ")"
	}
	for _, c := range []Check{checkRefusesUnauthenticated, checkForeignHost, checkOtherDocument, checkTokenFaults, checkForgedCallback} {
		r.set(c.ID, NotApplicable, "not applicable: "+because)
	}
}
