package contract

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
)

// judgeAnswers checks the webhook's answers to the recording events.
func (r *run) judgeAnswers(s *snapshot) {
	if len(s.attempts) == 0 {
		r.set(CheckFastAnswer, Fail, "no recording event was delivered to your webhook", "is the subscription still validated?")
		return
	}
	var slowest eventgrid.Attempt
	for _, a := range s.attempts {
		if a.Outcome != eventgrid.OutcomeDelivered {
			r.set(CheckFastAnswer, Fail, failedDelivery(a), fmt.Sprintf("attempt %d: outcome %s, %s", a.Attempt, a.Outcome, ms(a.Duration)))
			return
		}
		if a.Duration > slowest.Duration {
			slowest = a
		}
	}
	if slowest.Duration > r.cfg.MaxLatency {
		r.set(CheckFastAnswer, Fail, fmt.Sprintf("your webhook took %s to answer a RecordingFileStatusUpdated event (limit %s; Event Grid gives up after 30 s and "+
			"sends it again): answer as soon as the work is queued and download in the background", ms(slowest.Duration), ms(r.cfg.MaxLatency)))
		return
	}
	r.set(CheckFastAnswer, Pass, fmt.Sprintf("answered %d RecordingFileStatusUpdated deliveries with %d, the slowest in %s (limit %s)",
		len(s.attempts), slowest.Status, ms(slowest.Duration), ms(r.cfg.MaxLatency)))
}

func failedDelivery(a eventgrid.Attempt) string {
	switch {
	case a.Status == 0:
		return fmt.Sprintf("the delivery of a RecordingFileStatusUpdated event failed (%s: %s); Event Grid would retry it, with growing delays, for up to 24 hours",
			a.Outcome, a.Error)
	case a.Status >= 200 && a.Status < 300:
		return fmt.Sprintf("your webhook answered %d to a RecordingFileStatusUpdated event; Event Grid counts only 200, 201, 202, 203 and 204 as delivered, "+
			"so it would send the event again", a.Status)
	case a.Status == 400 || a.Status == 401 || a.Status == 403 || a.Status == 413:
		return fmt.Sprintf("your webhook answered %d to a RecordingFileStatusUpdated event; Event Grid does not retry a %d: the event would be dropped "+
			"(or dead-lettered) and its recording never downloaded", a.Status, a.Status)
	}
	return fmt.Sprintf("your webhook answered %d to a RecordingFileStatusUpdated event; Event Grid counts only 200-204 as delivered and would retry it after %s",
		a.Status, eventgrid.RetryDelay(0, a.Status))
}

// docProblem says what is wrong with how one target of d was downloaded, or "".
func (r *run) docProblem(s *snapshot, d api.Document, target string, size int64) string {
	what := map[string]string{journal.TargetMedia: "media (contentLocation)", journal.TargetMetadata: "metadata (metadataLocation)"}[target]
	es := s.get(d.ID, target)
	n := sent(es)
	switch {
	case n == 0:
		return fmt.Sprintf("your client never downloaded the %s of chunk %d (%s)%s", what, d.Index, d.ID, refusedHint(s, es))
	case n < size:
		return fmt.Sprintf("your client downloaded only %d of the %d bytes of the %s of chunk %d (%s) within %s", n, size, what, d.Index, d.ID, r.cfg.Timeout)
	case n > size:
		return fmt.Sprintf("your client downloaded the %s of chunk %d (%s) more than once: %d bytes for a %d-byte file, in %d requests",
			what, d.Index, d.ID, n, size, len(es))
	}
	return ""
}

// refusedHint explains signature failures, the usual reason for a download
// that never happened.
func refusedHint(s *snapshot, es []journal.Entry) string {
	for _, e := range append(es, s.refused...) {
		if e.Auth != nil && !e.Auth.OK {
			return fmt.Sprintf(": the emulator refused %d requests for their HMAC signature, for example %s %s: %s %s",
				len(s.refused), e.Method, e.Path, e.Auth.Failure, e.Auth.Explanation)
		}
		if e.Status >= 400 {
			return fmt.Sprintf(": its last request got %d", e.Status)
		}
	}
	return ""
}

// judgeDownloadOnce checks the plain recording: its first chunk's media is
// downloaded in full, and nothing is downloaded more than once. Chunks past
// the first and metadata are the recommendations' business.
func (r *run) judgeDownloadOnce(s *snapshot, rec api.Recording) {
	if s.noDownloads() {
		r.set(CheckDownloadOnce, Fail, noDownloadsMessage(s), fmt.Sprintf("the run waited %s after the last delivery; if your code starts downloading later "+
			"(a queue polled every few seconds), give it longer with --idle", ms(r.cfg.Idle)))
		return
	}
	var problems []string
	first := rec.Documents[0]
	if n := sent(s.get(first.ID, journal.TargetMedia)); n < first.Size {
		problems = append(problems, r.docProblem(s, first, journal.TargetMedia, first.Size))
	}
	for _, d := range rec.Documents {
		for _, t := range []struct {
			target string
			size   int64
		}{{journal.TargetMedia, d.Size}, {journal.TargetMetadata, d.MetadataSize}} {
			if sent(s.get(d.ID, t.target)) > t.size {
				problems = append(problems, r.docProblem(s, d, t.target, t.size))
			}
		}
	}
	if len(problems) > 0 {
		r.set(CheckDownloadOnce, Fail, problems[0], problems[1:]...)
		return
	}
	r.set(CheckDownloadOnce, Pass, fmt.Sprintf("downloaded the recording's first chunk (%d bytes) and nothing twice", first.Size))
}

// noDownloadsMessage is the root cause of a run where no download request
// arrived.
func noDownloadsMessage(s *snapshot) string {
	return fmt.Sprintf("no download request arrived at the emulator during the run: your code never downloaded any of the recordings it was told about "+
		"(%d acknowledged RecordingFileStatusUpdated deliveries). Download each chunk's contentLocation (and metadataLocation) when the event comes, "+
		"in the background; the checks that judge downloads are not applicable", delivered(s))
}

// delivered counts the acknowledged deliveries.
func delivered(s *snapshot) int {
	n := 0
	for _, a := range s.attempts {
		if a.Outcome == eventgrid.OutcomeDelivered {
			n++
		}
	}
	return n
}

// judgeEvery checks the recommendations on the plain recording: every chunk's
// media (CheckEveryChunk) or metadata (CheckMetadata) downloaded in full.
func (r *run) judgeEvery(s *snapshot, rec api.Recording, id string) {
	var problems []string
	for _, d := range rec.Documents {
		target, size := journal.TargetMedia, d.Size
		if id == CheckMetadata {
			target, size = journal.TargetMetadata, d.MetadataSize
		}
		if sent(s.get(d.ID, target)) < size {
			problems = append(problems, r.docProblem(s, d, target, size))
		}
	}
	if len(problems) > 0 {
		why := map[string]string{
			CheckEveryChunk: "a recording longer than its chunk size limit comes in several chunks, all in one event: keep every chunk, or the recording is cut",
			CheckMetadata:   "the metadata document tells which participant is on which channel and where pauses are; waive this check (--waive metadata) if your app does not need it",
		}[id]
		r.set(id, Fail, problems[0], append(problems[1:], why)...)
		return
	}
	what := map[string]string{CheckEveryChunk: "media", CheckMetadata: "metadata"}[id]
	r.set(id, Pass, fmt.Sprintf("downloaded the %s of all %d chunks of the recording", what, len(rec.Documents)))
}

// rangeStart is where a Range value starts ("bytes=N-..." or a suffix
// "bytes=-N"), or -1.
func rangeStart(v string, size int64) int64 {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok {
		return -1
	}
	first, _, _ := strings.Cut(spec, ",")
	from, to, _ := strings.Cut(strings.TrimSpace(first), "-")
	if from == "" {
		n, err := strconv.ParseInt(to, 10, 64)
		if err != nil {
			return -1
		}
		return max(size-n, 0)
	}
	n, err := strconv.ParseInt(from, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// faulted returns the index of the first entry the rule fired on, or -1.
func faulted(es []journal.Entry, rule string) int {
	for i, e := range es {
		if strings.HasPrefix(e.Fault, rule+" ") {
			return i
		}
	}
	return -1
}

func entryLine(e journal.Entry) string {
	rng := e.RangeAsked
	if rng == "" {
		rng = "no Range"
	}
	line := fmt.Sprintf("%s %s (%s) -> %d, %d bytes", e.Method, e.Path, rng, e.Status, e.BytesSent)
	if e.Fault != "" {
		line += " [" + e.Fault + "]"
	}
	return line
}

func (r *run) judgeResume(s *snapshot, rec api.Recording, rule string) {
	d := rec.Documents[0]
	es := s.get(d.ID, journal.TargetMedia)
	i := faulted(es, rule)
	if i < 0 {
		r.set(CheckResume, Fail, "could not test resumption: "+r.docProblem(s, d, journal.TargetMedia, d.Size))
		return
	}
	var details []string
	for _, e := range es {
		details = append(details, entryLine(e))
	}
	cut := max(rangeStart(es[i].RangeAsked, d.Size), 0) + es[i].BytesSent
	want := fmt.Sprintf("bytes=%d-", cut)
	if i+1 == len(es) {
		r.set(CheckResume, Fail, fmt.Sprintf("after the connection reset at byte %d your client never asked for the rest of chunk %d (%s): the file stays incomplete. "+
			"Retry a failed download with Range: %s", cut, d.Index, d.ID, want), details...)
		return
	}
	next := es[i+1]
	start := rangeStart(next.RangeAsked, d.Size)
	switch {
	case next.RangeAsked == "":
		r.set(CheckResume, Fail, fmt.Sprintf("after the connection reset at byte %d your client asked for the whole file again (no Range header) instead of %s: "+
			"it re-downloaded %d bytes", cut, want, cut), details...)
	case start >= 0 && start < cut:
		r.set(CheckResume, Fail, fmt.Sprintf("after the connection reset at byte %d your client asked for %s instead of %s: it re-downloaded %d bytes",
			cut, next.RangeAsked, want, cut-start), details...)
	case start > cut:
		r.set(CheckResume, Fail, fmt.Sprintf("after the connection reset at byte %d your client asked for %s instead of %s: bytes %d to %d are missing from its file",
			cut, next.RangeAsked, want, cut, start-1), details...)
	case start < 0:
		r.set(CheckResume, Fail, fmt.Sprintf("after the connection reset at byte %d your client sent Range: %s, which is not a byte range; ask for %s",
			cut, next.RangeAsked, want), details...)
	default:
		if p := r.docProblem(s, d, journal.TargetMedia, d.Size); p != "" {
			r.set(CheckResume, Fail, fmt.Sprintf("resumed with Range: %s after the connection reset, but then %s", next.RangeAsked, p), details...)
			return
		}
		r.set(CheckResume, Pass, fmt.Sprintf("resumed with Range: %s after the connection reset at byte %d of %d", next.RangeAsked, cut, d.Size), details...)
	}
}

func (r *run) judgeRetryAfter(s *snapshot, rec api.Recording, rule string) {
	d := rec.Documents[0]
	es := s.get(d.ID, journal.TargetMedia)
	i := faulted(es, rule)
	if i < 0 {
		r.set(CheckRetryAfter, Fail, "could not test Retry-After: "+r.docProblem(s, d, journal.TargetMedia, d.Size))
		return
	}
	var details []string
	for _, e := range es {
		details = append(details, fmt.Sprintf("%+.3f s  %s", e.Time.Sub(es[i].Time).Seconds(), entryLine(e)))
	}
	busy := fmt.Sprintf("a 503 with Retry-After: %d", RetryAfterSeconds)
	for _, v := range s.violations.Recent {
		if v.Rule == rule {
			r.set(CheckRetryAfter, Fail, fmt.Sprintf("after %s your client came back after %.2f s instead of waiting %d s: the service would answer 503 again "+
				"(and throttle harder); wait at least the Retry-After (seconds or an HTTP date) before retrying", busy, time.Duration(v.Waited).Seconds(), RetryAfterSeconds),
				details...)
			return
		}
	}
	if i+1 == len(es) {
		r.set(CheckRetryAfter, Fail, fmt.Sprintf("after %s your client never asked for chunk %d (%s) again: retry 503s once the Retry-After has passed",
			busy, d.Index, d.ID), details...)
		return
	}
	waited := es[i+1].Time.Sub(es[i].Time.Add(es[i].Duration))
	if p := r.docProblem(s, d, journal.TargetMedia, d.Size); p != "" {
		r.set(CheckRetryAfter, Fail, fmt.Sprintf("waited %.2f s after %s, but then %s", waited.Seconds(), busy, p), details...)
		return
	}
	r.set(CheckRetryAfter, Pass, fmt.Sprintf("waited %.2f s after %s, then downloaded the chunk", waited.Seconds(), busy), details...)
}

func (r *run) judgeDuplicate(s *snapshot, rec api.Recording, rule string) {
	fired := false
	for _, f := range s.fired {
		fired = fired || f.Rule == rule
	}
	if !fired {
		r.set(CheckDuplicate, Fail, "could not test duplicates: the recording event was not delivered (see the delivery check)")
		return
	}
	for _, d := range rec.Documents {
		es := s.get(d.ID, journal.TargetMedia)
		n := sent(es)
		p := r.docProblem(s, d, journal.TargetMedia, d.Size)
		if p == "" {
			continue
		}
		var details []string
		for _, e := range es {
			details = append(details, entryLine(e))
		}
		if n <= d.Size {
			r.set(CheckDuplicate, Fail, "the recording event was delivered twice, and "+p, details...)
			return
		}
		r.set(CheckDuplicate, Fail, fmt.Sprintf("the recording event was delivered twice (same event id; Event Grid delivers at least once) and your client "+
			"downloaded chunk %d (%s) again: %d bytes for a %d-byte file. Remember the document ids you have handled and skip them",
			d.Index, d.ID, n, d.Size), details...)
		return
	}
	r.set(CheckDuplicate, Pass, fmt.Sprintf("the recording event was delivered twice and each of its %d chunks was downloaded once", len(rec.Documents)))
}
