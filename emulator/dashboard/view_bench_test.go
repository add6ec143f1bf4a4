package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/acsemu/acsemu/emulator/journal"
)

// BenchmarkUpdate is what one dashboard update costs with a journal of
// 10,000 ranged downloads of one document (a view built and encoded), once
// the model has folded them in: an update reads only newer entries.
func BenchmarkUpdate(b *testing.B) {
	j := journal.New(0)
	for i := range 10_000 {
		from := int64(i) << 20
		j.Add(journal.Entry{Plane: journal.PlaneData, Target: journal.TargetMedia, Method: "GET", DocumentID: "doc",
			RangeAsked: fmt.Sprintf("bytes=%d-%d", from, from+1<<20-1), RangeServed: fmt.Sprintf("bytes=%d-%d", from, from+1<<20-1),
			Status: 206, BytesSent: 1 << 20, Header: http.Header{"Authorization": {"HMAC-SHA256 x"}, "X-Ms-Date": {"now"}},
			Auth: &journal.Auth{OK: true}})
	}
	d := New(Sources{Journal: j, Documents: func() []Document { return []Document{{ID: "doc", Size: 10_000 << 20}} }}, Options{})
	b.ReportAllocs()
	for b.Loop() {
		v := d.build()
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
