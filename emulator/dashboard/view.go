package dashboard

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/internal/hmacsig"
)

// Bounds on what one view carries, so an update costs the same however long
// the emulator has run.
const (
	maxDeliveriesPerSub = 50
	maxDeadLetters      = 50
	maxSignatures       = 50
	maxHitsPerRule      = 50
	maxCallEvents       = 100
	maxScheduleAhead    = 8
	// maxAttemptsPerDelivery bounds the attempts shown per batch (Event Grid
	// allows 30); past it the last one shown is the latest.
	maxAttemptsPerDelivery = 30
)

// View is everything the pages show, computed on the server.
type View struct {
	Now           time.Time          `json:"now"`
	Documents     []DocumentView     `json:"documents"`
	Subscriptions []SubscriptionView `json:"subscriptions"`
	Signatures    []SignatureFailure `json:"signatures"`
	Faults        []RuleView         `json:"faults"`
	Calls         CallsView          `json:"calls"`
}

// DocumentView is a document with its state and coverage.
type DocumentView struct {
	Document
	// State: "not downloaded", "partly downloaded", "downloaded", "deleted".
	State    string   `json:"state"`
	Coverage Coverage `json:"coverage"`
}

// SubscriptionView is a subscription with its deliveries, grouped by batch.
type SubscriptionView struct {
	eventgrid.Subscription
	Deliveries  []DeliveryView         `json:"deliveries"`
	DeadLetters []eventgrid.DeadLetter `json:"deadLetters"`
}

// DeliveryView is one batch of events and its attempts.
type DeliveryView struct {
	EventIDs []string            `json:"eventIds"`
	Attempts []eventgrid.Attempt `json:"attempts"`
	// Result is the batch's last disposition (Delivered, Retrying, DeadLettered, Dropped).
	Result string `json:"result"`
	// Ahead is the nominal retry schedule after the next attempt (delays from
	// the attempt before, without Event Grid's random spread).
	Ahead []string `json:"ahead,omitempty"`
}

// SignatureFailure is a request whose signature the emulator refused.
type SignatureFailure struct {
	RequestID   int64     `json:"requestId"`
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Status      int       `json:"status"`
	Failure     string    `json:"failure"`
	Explanation string    `json:"explanation"`
	// Lines compares the expected string-to-sign with the one the client
	// sent in the debug header (Signed is "" when it sent none).
	Lines []SignLine `json:"lines,omitempty"`
	// ClientSent says whether the client sent its string-to-sign.
	ClientSent bool `json:"clientSent"`
}

// SignLine is one line of the two strings-to-sign.
type SignLine struct {
	Name     string `json:"name"`
	Expected string `json:"expected"`
	Signed   string `json:"signed"`
	Differs  bool   `json:"differs"`
}

// RuleView is a fault rule, its counters and the requests it hit.
type RuleView struct {
	faults.RuleStatus
	Hits []faults.Fired `json:"hits"`
}

// CallsView is the Call Automation state on the emulator clock.
type CallsView struct {
	Clock      api.ClockState      `json:"clock"`
	Recordings []api.CallRecording `json:"recordings"`
	// Events are the Call Automation requests and callbacks, oldest first.
	Events []CallEvent `json:"events"`
}

// CallEvent is one Call Automation request or callback attempt.
type CallEvent struct {
	RequestID int64     `json:"requestId"`
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"` // request | callback
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Status    int       `json:"status"`
	Error     string    `json:"error,omitempty"`
}

// build computes the view from the sources.
func (d *Dashboard) build() View {
	src := &d.src
	v := View{Now: src.Now(), Documents: []DocumentView{}, Subscriptions: []SubscriptionView{},
		Signatures: []SignatureFailure{}, Faults: []RuleView{}}
	m := &d.model
	m.mu.Lock()
	m.advance(src.Journal)
	known := map[string]bool{}
	for _, doc := range src.Documents() {
		known[doc.ID] = true
		v.Documents = append(v.Documents, m.documentView(doc, false))
	}
	for _, id := range m.order {
		if !known[id] && m.deleted[id] {
			v.Documents = append(v.Documents, m.documentView(Document{ID: id, Size: -1}, true))
		}
	}
	v.Signatures = append(v.Signatures, m.signatures...)
	v.Calls.Events = append([]CallEvent{}, m.calls...)
	v.Subscriptions = d.subscriptions(m)
	m.mu.Unlock()
	v.Faults = d.faultRules()
	if src.CallRecordings != nil {
		v.Calls.Recordings = src.CallRecordings()
	}
	if src.Clock != nil {
		v.Calls.Clock = src.Clock()
	}
	if v.Calls.Recordings == nil {
		v.Calls.Recordings = []api.CallRecording{}
	}
	return v
}

// maxTrackedDocuments bounds the documents whose requests the model keeps.
const maxTrackedDocuments = 200

// model is what the pages need from the journal, folded in as entries
// arrive: each update reads only the entries after the model's cursor, so
// its cost does not grow with the journal, and its memory is bounded by
// MaxSegments per document, maxTrackedDocuments, maxSignatures and
// maxCallEvents. One model serves every open page.
type model struct {
	mu     sync.Mutex
	cursor int64
	media  map[string][]journal.Entry // per document, oldest first, headers dropped
	// omitted counts the requests of a document trimmed from media.
	omitted    map[string]int
	deleted    map[string]bool
	order      []string // documents in the order first seen
	signatures []SignatureFailure
	calls      []CallEvent
	// subs are the deliveries by subscription (lower-case name), folded in
	// from the attempts after attemptSeq.
	subs       map[string]*subDeliveries
	attemptSeq int64
	// skip is fold's scratch: per document, the media entries of a batch to
	// count as omitted rather than copy.
	skip map[string]int
}

// advance folds in the entries added since the last call; m.mu is held.
func (m *model) advance(j Journal) {
	if m.media == nil {
		m.reset()
	}
	j.ReadAfter(m.cursor, m.fold)
}

// What an entry is to the pages.
type entryKind int

const (
	kindOther     entryKind = iota
	kindReset               // a successful POST /_emulator/reset
	kindSignature           // a refused signature
	kindMedia               // a media request for a document
	kindDelete              // a successful delete of a document
	kindCall                // a Call Automation request or callback
)

func kindOf(e *journal.Entry) entryKind {
	switch {
	case e.Plane == journal.PlaneControl && e.Method == http.MethodPost && e.Path == api.Prefix+"reset" && e.Status < 300:
		return kindReset
	case e.Auth != nil && !e.Auth.OK:
		return kindSignature
	case e.Plane == journal.PlaneData && e.Target == journal.TargetMedia && e.DocumentID != "":
		return kindMedia
	case e.Plane == journal.PlaneData && e.Target == journal.TargetDelete && e.Status == http.StatusOK:
		return kindDelete
	case e.Target == journal.TargetCalling || e.Plane == calling.PlaneCallback:
		return kindCall
	}
	return kindOther
}

// fold takes in new entries, lent by the journal under its lock; m.mu is
// held. The pages show only the newest of each kind (MaxSegments per
// document, maxSignatures, maxCallEvents), so fold first counts what the
// batch holds and then copies only the entries that stay: an update after a
// burst of thousands of downloads copies a few hundred entries, not the
// burst, and the journal is locked for one pass over pointers.
func (m *model) fold(es []journal.Entry) {
	if len(es) == 0 {
		return
	}
	m.cursor = es[len(es)-1].ID
	for i := len(es) - 1; i >= 0; i-- {
		if kindOf(&es[i]) == kindReset {
			m.reset() // the emulator forgot everything: so does the page
			es = es[i+1:]
			break
		}
	}
	// skip counts, per kind and document, the older entries of this batch
	// that newer ones in it would push out anyway.
	clear(m.skip)
	var skipSignatures, skipCalls int
	for i := range es {
		switch e := &es[i]; kindOf(e) {
		case kindSignature:
			skipSignatures++
		case kindCall:
			skipCalls++
		case kindMedia:
			m.skip[e.DocumentID]++
		}
	}
	skipSignatures -= maxSignatures
	skipCalls -= maxCallEvents
	for id, n := range m.skip {
		m.skip[id] = n - MaxSegments
	}
	for i := range es {
		switch e := &es[i]; kindOf(e) {
		case kindSignature:
			if skipSignatures > 0 {
				skipSignatures--
				continue
			}
			m.signatures = append(newest(m.signatures, maxSignatures-1), signatureFailure(e))
		case kindMedia:
			m.track(e.DocumentID)
			if m.skip[e.DocumentID] > 0 {
				m.skip[e.DocumentID]--
				m.omitted[e.DocumentID]++
				continue
			}
			c := *e
			c.Header = nil // not shown; keeps the model small
			list := append(m.media[e.DocumentID], c)
			if len(list) > 2*MaxSegments { // trim in bulk: amortised O(1) per entry
				m.omitted[e.DocumentID] += len(list) - MaxSegments
				list = append([]journal.Entry(nil), list[len(list)-MaxSegments:]...)
			}
			m.media[e.DocumentID] = list
		case kindDelete:
			m.track(e.DocumentID)
			m.deleted[e.DocumentID] = true
		case kindCall:
			if skipCalls > 0 {
				skipCalls--
				continue
			}
			m.calls = append(newest(m.calls, maxCallEvents-1), callEvent(e))
		}
	}
}

func (m *model) reset() {
	m.skip = map[string]int{}
	m.media, m.omitted, m.deleted, m.order = map[string][]journal.Entry{}, map[string]int{}, map[string]bool{}, nil
	m.signatures, m.calls = []SignatureFailure{}, []CallEvent{}
	m.subs, m.attemptSeq = map[string]*subDeliveries{}, 0 // a reset restarts the engine's attempt numbers
}

// track remembers a document, forgetting the one seen first when too many are.
func (m *model) track(id string) {
	if _, ok := m.media[id]; ok {
		return
	}
	if m.deleted[id] {
		return
	}
	m.order = append(m.order, id)
	m.media[id] = nil
	if len(m.order) > maxTrackedDocuments {
		old := m.order[0]
		m.order = m.order[1:]
		delete(m.media, old)
		delete(m.omitted, old)
		delete(m.deleted, old)
	}
}

func (m *model) documentView(doc Document, deleted bool) DocumentView {
	entries := m.media[doc.ID]
	cov := BuildCoverage(doc.Size, entries)
	cov.Omitted += m.omitted[doc.ID]
	dv := DocumentView{Document: doc, Coverage: cov}
	switch {
	case deleted:
		dv.State = "deleted"
	case cov.Complete:
		dv.State = "downloaded"
	case cov.Delivered > 0:
		dv.State = "partly downloaded"
	default:
		dv.State = "not downloaded"
	}
	return dv
}

func signatureFailure(e *journal.Entry) SignatureFailure {
	sf := SignatureFailure{RequestID: e.ID, Time: e.Time, Method: e.Method, Path: e.Path, Status: e.Status,
		Failure: e.Auth.Failure, Explanation: e.Auth.Explanation}
	if e.Auth.StringToSign == "" {
		return sf
	}
	expected := signParts(e.Auth.StringToSign)
	var signed []string
	if raw := e.Header.Get(hmacsig.DebugHeader); raw != "" {
		sf.ClientSent = true
		signed = signParts(hmacsig.UnescapeStringToSign(raw))
	}
	names := []string{"method", "path and query", "date", "host", "content hash"}
	for i := range max(len(expected), len(signed)) {
		l := SignLine{Name: "part " + itoaInt(i+1)}
		if i < len(names) {
			l.Name = names[i]
		}
		if i < len(expected) {
			l.Expected = expected[i]
		}
		if i < len(signed) {
			l.Signed = signed[i]
		}
		l.Differs = sf.ClientSent && l.Expected != l.Signed
		sf.Lines = append(sf.Lines, l)
	}
	return sf
}

// signParts splits a string-to-sign "METHOD\nPATH?QUERY\nDATE;HOST;HASH"
// into its five parts (what is left over stays in the last).
func signParts(s string) []string {
	lines := strings.SplitN(s, "\n", 3)
	if len(lines) < 3 {
		return lines
	}
	return append(lines[:2], strings.SplitN(lines[2], ";", 3)...)
}

func callEvent(e *journal.Entry) CallEvent {
	kind := "request"
	if e.Plane != journal.PlaneData {
		kind = "callback"
	}
	return CallEvent{RequestID: e.ID, Time: e.Time, Kind: kind, Method: e.Method, Path: e.Path, Status: e.Status, Error: e.Error}
}

// subscriptions lists the subscriptions with their deliveries; m.mu is held.
func (d *Dashboard) subscriptions(m *model) []SubscriptionView {
	src := &d.src
	out := []SubscriptionView{}
	if src.Subscriptions == nil {
		return out
	}
	if src.Attempts != nil {
		for _, a := range src.Attempts(m.attemptSeq) {
			m.attemptSeq = a.Seq
			m.deliveries(a.Subscription).add(a)
		}
	}
	var dead []eventgrid.DeadLetter
	if src.DeadLetters != nil {
		dead = src.DeadLetters()
	}
	live := map[string]bool{}
	for _, sub := range src.Subscriptions() {
		key := strings.ToLower(sub.Name)
		live[key] = true
		sv := SubscriptionView{Subscription: sub, Deliveries: []DeliveryView{}, DeadLetters: []eventgrid.DeadLetter{}}
		for _, dv := range m.deliveries(sub.Name).list {
			c := *dv
			c.Attempts = append([]eventgrid.Attempt(nil), dv.Attempts...)
			if last := c.Attempts[len(c.Attempts)-1]; c.Result == eventgrid.DispositionRetrying {
				for n := last.Attempt + 1; n < sub.RetryPolicy.MaxDeliveryAttempts-1 && len(c.Ahead) < maxScheduleAhead; n++ {
					c.Ahead = append(c.Ahead, "+"+eventgrid.RetryDelay(n, last.Status).String())
				}
			}
			sv.Deliveries = append(sv.Deliveries, c)
		}
		for _, dl := range dead {
			if strings.EqualFold(dl.Subscription, sub.Name) {
				sv.DeadLetters = append(sv.DeadLetters, dl)
			}
		}
		sv.DeadLetters = newest(sv.DeadLetters, maxDeadLetters)
		out = append(out, sv)
	}
	for key := range m.subs { // deleted subscriptions: forget their deliveries
		if !live[key] {
			delete(m.subs, key)
		}
	}
	return out
}

// subDeliveries are one subscription's latest batches (maxDeliveriesPerSub).
type subDeliveries struct {
	list  []*DeliveryView
	byKey map[string]*DeliveryView // by event ids, the batch being retried
}

func (m *model) deliveries(sub string) *subDeliveries {
	key := strings.ToLower(sub)
	sd := m.subs[key]
	if sd == nil {
		sd = &subDeliveries{byKey: map[string]*DeliveryView{}}
		m.subs[key] = sd
	}
	return sd
}

// add puts an attempt in its batch: attempt 0 starts a batch, a later one
// joins the batch with the same events.
func (sd *subDeliveries) add(a eventgrid.Attempt) {
	key := strings.Join(a.EventIDs, ",")
	dv := sd.byKey[key]
	if dv == nil || a.Attempt == 0 {
		dv = &DeliveryView{EventIDs: a.EventIDs}
		sd.byKey[key] = dv
		sd.list = append(sd.list, dv)
		if len(sd.list) > maxDeliveriesPerSub {
			old := sd.list[0]
			sd.list = sd.list[1:]
			if k := strings.Join(old.EventIDs, ","); sd.byKey[k] == old {
				delete(sd.byKey, k)
			}
		}
	}
	if len(dv.Attempts) < maxAttemptsPerDelivery {
		dv.Attempts = append(dv.Attempts, a)
	} else {
		dv.Attempts[len(dv.Attempts)-1] = a // keep the first ones and the latest
	}
	dv.Result = a.Disposition
	if a.Disposition != eventgrid.DispositionRetrying {
		delete(sd.byKey, key) // finished: the same events again are a new batch
	}
}

func (d *Dashboard) faultRules() []RuleView {
	src := &d.src
	out := []RuleView{}
	if src.FaultRules == nil {
		return out
	}
	hits := map[string][]faults.Fired{}
	if src.FaultsFired != nil {
		for _, f := range src.FaultsFired() {
			hits[f.Rule] = append(hits[f.Rule], f)
		}
	}
	for _, st := range src.FaultRules() {
		h := newest(hits[st.Rule.ID], maxHitsPerRule)
		if h == nil {
			h = []faults.Fired{}
		}
		out = append(out, RuleView{RuleStatus: st, Hits: h})
	}
	return out
}

// newest keeps the last n elements.
func newest[T any](s []T, n int) []T {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func itoaInt(n int) string { return commas(int64(n)) }
