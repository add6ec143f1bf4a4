package dashboard

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/journal"
)

// mixedTraffic is a seeded mix of what the pages follow: ranged downloads of
// three documents (one far past MaxSegments), refused signatures and Call
// Automation events past their bounds, a delete, and a reset in the middle.
func mixedTraffic() []journal.Entry {
	rnd := rand.New(rand.NewPCG(14, 14))
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var out []journal.Entry
	add := func(e journal.Entry) {
		at = at.Add(time.Millisecond)
		e.Time = at
		out = append(out, e)
	}
	docs := []string{"a", "b", "c"}
	for i := range 2_400 {
		switch r := rnd.IntN(100); {
		case i == 1_000:
			add(journal.Entry{Plane: journal.PlaneControl, Method: "POST", Path: "/_emulator/reset", Status: 204})
		case i == 1_900:
			add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetDelete, Method: "DELETE", DocumentID: "c", Status: 200})
		case r < 8:
			add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetMedia, Method: "GET", DocumentID: "b", Status: 401,
				Auth: &journal.Auth{Failure: "signature", Explanation: fmt.Sprint("mismatch ", i), StringToSign: "GET\n/a\nd;h;c"}})
		case r < 16:
			add(journal.Entry{Plane: calling.PlaneCallback, Target: calling.TargetRecordingCallback, Method: "POST", Path: fmt.Sprint("/hook/", i), Status: 200})
		case r < 18:
			add(journal.Entry{Plane: journal.PlaneControl, Method: "GET", Path: "/_emulator/requests", Status: 200})
		default:
			from := int64(rnd.IntN(1_000)) * 1_000
			add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetMedia, Method: "GET", DocumentID: docs[rnd.IntN(len(docs))],
				Status: 206, RangeAsked: fmt.Sprintf("bytes=%d-", from), RangeServed: fmt.Sprintf("bytes=%d-%d", from, from+999), BytesSent: 1_000,
				Header: http.Header{"Authorization": {"HMAC-SHA256 x"}}, Auth: &journal.Auth{OK: true}})
		}
	}
	return out
}

// The model folds a batch by copying only the entries that stay. A page that
// looked once after the whole burst must show exactly what a page that
// looked after every few requests shows: the same segments per document,
// the same omitted counts, signatures and Call Automation events.
func TestFoldingABurstShowsWhatFoldingItPieceByPieceShows(t *testing.T) {
	docs := func() []Document { return []Document{{ID: "a", Size: 1_000_000}, {ID: "b", Size: 1_000_000}} }
	traffic := mixedTraffic()

	once := journal.New(0)
	onceView := New(Sources{Journal: once, Documents: docs}, Options{})
	piecewise := journal.New(0)
	pieceView := New(Sources{Journal: piecewise, Documents: docs}, Options{})
	for _, e := range traffic {
		once.Add(e)
	}
	for i, e := range traffic {
		piecewise.Add(e)
		if i%29 == 0 { // a look every few requests: batches too small to skip anything
			pieceView.build()
		}
	}
	got, want := onceView.build(), pieceView.build()
	if !sameView(&got, &want) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("one fold of the burst:\n%.3000s\n\nfolded piece by piece:\n%.3000s", a, b)
	}
	// The bounds were reached, so the batch fold had something to skip.
	if len(got.Signatures) != maxSignatures || len(got.Calls.Events) != maxCallEvents {
		t.Fatalf("%d signatures, %d call events: the traffic does not reach the bounds", len(got.Signatures), len(got.Calls.Events))
	}
	states := map[string]string{}
	for _, d := range got.Documents {
		states[d.ID] = d.State
		if d.ID != "c" && (len(d.Coverage.Segments) != MaxSegments || d.Coverage.Omitted == 0) {
			t.Errorf("document %s: %d segments, %d omitted; want %d and some omitted", d.ID, len(d.Coverage.Segments), d.Coverage.Omitted, MaxSegments)
		}
	}
	if states["c"] != "deleted" || len(states) != 3 {
		t.Errorf("states %v, want a, b and the deleted c", states)
	}
}
