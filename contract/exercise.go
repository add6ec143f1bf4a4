package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// exercise holds the four recordings of a run (see the package doc).
type exercise struct {
	plain, reset, busy, dup api.Recording
	resetRule, busyRule     string
	dupRule                 string
}

func (e exercise) all() []api.Recording {
	return []api.Recording{e.plain, e.reset, e.busy, e.dup}
}

// exercise publishes the recordings with their faults, waits for the user's
// code to download them and judges what it did.
func (r *run) exercise(ctx context.Context) (exercise, error) {
	var ex exercise
	recs := make([]api.Recording, 4)
	for i := range recs {
		rec, err := r.c.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(20 * time.Second),
			ChunkSizeLimit: ChunkSize, Seed: r.cfg.Seed + int64(i), NoEvent: true})
		if err != nil {
			return ex, fmt.Errorf("contract: create a recording: %w", err)
		}
		recs[i] = rec
	}
	ex.plain, ex.reset, ex.busy, ex.dup = recs[0], recs[1], recs[2], recs[3]
	name := r.cfg.Subscription
	ex.resetRule, ex.busyRule, ex.dupRule = name+"-reset", name+"-retry-after", name+"-duplicate"
	err := r.addRules(ctx,
		fmt.Sprintf(`{"id":%q,"description":"contract: connection reset at %d%% of the first download","match":{"target":"media","method":"GET","document":%q},"when":{"times":1},"action":{"type":"reset","afterPercent":%d}}`,
			ex.resetRule, ResetPercent, ex.reset.Documents[0].ID, ResetPercent),
		fmt.Sprintf(`{"id":%q,"description":"contract: 503 with Retry-After","match":{"target":"media","method":"GET","document":%q},"when":{"times":1},"action":{"type":"status","status":503,"retryAfter":%d}}`,
			ex.busyRule, ex.busy.Documents[0].ID, RetryAfterSeconds))
	if err != nil {
		return ex, err
	}
	// One event at a time, so that the duplicate hits the last one only.
	for _, rec := range recs {
		if rec.ID == ex.dup.ID {
			err := r.addRules(ctx, fmt.Sprintf(`{"id":%q,"description":"contract: deliver the event twice","match":{"target":"delivery","subscription":%q},"when":{"times":1},"action":{"type":"duplicate"}}`,
				ex.dupRule, name))
			if err != nil {
				return ex, err
			}
		}
		if err := r.publish(ctx, rec); err != nil {
			return ex, err
		}
		r.probe.Probe(ctx)
	}
	r.waitForDownloads(ctx, recs)
	r.probe.Probe(ctx)
	if r.probe.Down() != nil {
		r.settleJournal(ctx)
	}
	snap, err := r.snapshot(ctx)
	if err != nil {
		return ex, err
	}
	r.noDownloads = snap.noDownloads()
	for _, c := range Checks {
		if c.judge != nil {
			c.judge(r, snap, ex)
		}
	}
	return ex, nil
}

func (r *run) addRules(ctx context.Context, rules ...string) error {
	sts, err := r.c.AddFaultsJSON(ctx, []byte("["+strings.Join(rules, ",")+"]"))
	if err != nil {
		return fmt.Errorf("contract: add the fault rules: %w", err)
	}
	for _, st := range sts {
		r.rules = append(r.rules, st.Rule.ID)
	}
	return nil
}

// publish sends rec's RecordingFileStatusUpdated event, as the service does
// when a recording is ready, and waits until its delivery is over.
func (r *run) publish(ctx context.Context, rec api.Recording) error {
	var data recordings.EventData
	data.RecordingStorageInfo.RecordingChunks = []recordings.EventChunk{}
	for _, d := range rec.Documents {
		data.RecordingStorageInfo.RecordingChunks = append(data.RecordingStorageInfo.RecordingChunks, recordings.EventChunk{
			DocumentID: d.ID, Index: d.Index, EndReason: d.EndReason,
			Locations: recordings.Locations{Content: d.ContentLocation, Metadata: d.MetadataLocation, Delete: d.DeleteLocation}})
	}
	data.RecordingStartTime, data.RecordingDurationMs, data.SessionEndReason = rec.StartTime, rec.DurationMs, "CallEnded"
	data.RecordingContentType, data.RecordingChannelType, data.RecordingFormatType = title(rec.ContentType), title(rec.ChannelType), title(rec.Format)
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if _, err := r.c.PublishEvents(ctx, eventgrid.Event{Subject: rec.Subject, EventType: recordings.EventType, DataVersion: "1.0", Data: raw}); err != nil {
		return fmt.Errorf("contract: publish the recording event: %w", err)
	}
	if r.probe.Down() != nil {
		return nil // nothing answers: waiting for the deliveries to end would only take Timeout
	}
	err = r.c.Drain(ctx, r.cfg.Subscription, r.cfg.Timeout)
	var ae *control.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusRequestTimeout {
		return nil // the webhook keeps failing: the attempts tell the story
	}
	return err
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// waitForDownloads waits until the emulator has sent every chunk and its
// metadata at least once, then until no download request came for
// Config.Quiet. It gives up early when nothing more can come: no new download
// request for Config.Idle (counted from the last delivery, so a webhook that
// never downloads is judged Idle after it), or the webhook stopped answering.
// Config.Timeout bounds the whole wait.
func (r *run) waitForDownloads(ctx context.Context, recs []api.Recording) {
	wctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	var last int64 = -1
	activity, lastProbe := time.Now(), time.Now()
	complete := false
	_ = poll(wctx, 50*time.Millisecond, func() (bool, error) {
		snap, err := r.journal(wctx)
		if err != nil {
			return false, nil
		}
		if id := snap.lastID; id != last {
			last, activity = id, time.Now()
		}
		if time.Since(lastProbe) >= 500*time.Millisecond {
			r.probe.Probe(wctx)
			lastProbe = time.Now()
		}
		complete = allDownloaded(snap, recs)
		return complete || r.probe.Down() != nil || time.Since(activity) >= r.cfg.Idle, nil
	})
	if !complete {
		return
	}
	quietSince := activity
	_ = poll(wctx, 50*time.Millisecond, func() (bool, error) {
		es, err := r.c.Requests(wctx, api.RequestFilter{Plane: journal.PlaneData, Limit: 1})
		if err == nil && len(es) > 0 && es[0].ID != last {
			last, quietSince = es[0].ID, time.Now()
		}
		return time.Since(quietSince) >= r.cfg.Quiet, nil
	})
}

func allDownloaded(snap *snapshot, recs []api.Recording) bool {
	for _, rec := range recs {
		for _, d := range rec.Documents {
			if sent(snap.get(d.ID, journal.TargetMedia)) < d.Size || sent(snap.get(d.ID, journal.TargetMetadata)) < d.MetadataSize {
				return false
			}
		}
	}
	return true
}

// snapshot is what the emulator saw, read once after the downloads.
type snapshot struct {
	byDoc      map[string][]journal.Entry
	lastID     int64 // the newest data-plane entry's, -1 for none
	refused    []journal.Entry
	attempts   []eventgrid.Attempt
	violations faults.Violations
	fired      []faults.Fired
}

// get returns the GETs of a document's target, oldest first.
func (s *snapshot) get(doc, target string) []journal.Entry {
	var out []journal.Entry
	for _, e := range s.byDoc[doc] {
		if e.Target == target && e.Method == http.MethodGet {
			out = append(out, e)
		}
	}
	return out
}

// noDownloads reports whether no download request (answered or refused)
// arrived for any document.
func (s *snapshot) noDownloads() bool {
	for _, es := range s.byDoc {
		for _, e := range es {
			if e.Method == http.MethodGet && (e.Target == journal.TargetMedia || e.Target == journal.TargetMetadata) {
				return false
			}
		}
	}
	return true
}

// sent adds up the body bytes of the successful answers.
func sent(es []journal.Entry) int64 {
	var n int64
	for _, e := range es {
		if e.Status == http.StatusOK || e.Status == http.StatusPartialContent {
			n += e.BytesSent
		}
	}
	return n
}

func (r *run) journal(ctx context.Context) (*snapshot, error) {
	es, err := r.c.Requests(ctx, api.RequestFilter{Plane: journal.PlaneData})
	if err != nil {
		return nil, fmt.Errorf("contract: read the journal: %w", err)
	}
	s := &snapshot{byDoc: map[string][]journal.Entry{}, lastID: -1}
	for _, e := range es {
		s.lastID = max(s.lastID, e.ID)
		if e.DocumentID != "" {
			s.byDoc[e.DocumentID] = append(s.byDoc[e.DocumentID], e)
		}
		if e.Auth != nil && !e.Auth.OK {
			s.refused = append(s.refused, e)
		}
	}
	return s, nil
}

func (r *run) snapshot(ctx context.Context) (*snapshot, error) {
	s, err := r.journal(ctx)
	if err != nil {
		return nil, err
	}
	if s.attempts, err = r.c.Deliveries(ctx, eventgrid.AttemptFilter{Subscription: r.cfg.Subscription}); err != nil {
		return nil, fmt.Errorf("contract: read the delivery attempts: %w", err)
	}
	if s.violations, err = r.c.FaultViolations(ctx); err != nil {
		return nil, fmt.Errorf("contract: read the Retry-After violations: %w", err)
	}
	if s.fired, err = r.c.FiredFaults(ctx, 0); err != nil {
		return nil, fmt.Errorf("contract: read the fired faults: %w", err)
	}
	return s, nil
}

// settleJournal waits, at most a second, until the data-plane journal stops
// growing: a request is journaled only when its answer ends, and a webhook
// that died on an answer can be seen down before that answer is journaled.
func (r *run) settleJournal(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last, stable := -1, 0
	for stable < 3 {
		n, err := r.c.CountRequests(ctx, api.RequestFilter{Plane: journal.PlaneData})
		if err != nil {
			return
		}
		if n == last {
			stable++
		} else {
			last, stable = n, 0
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
