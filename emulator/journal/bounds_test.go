package journal

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// manyHeaders is a request with n distinct headers of about 100 bytes each,
// the 4,000-header entry that cost 714 kB before the per-entry bound.
func manyHeaders(n int) http.Header {
	h := http.Header{}
	for i := range n {
		h.Set(fmt.Sprintf("X-Custom-%05d", i), strings.Repeat("v", 80))
	}
	return h
}

// sdkHeaders is what an SDK download sends: about 1 KB.
func sdkHeaders() http.Header {
	return http.Header{
		"Authorization":          {"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + strings.Repeat("A", 44)},
		"X-Ms-Date":              {"Tue, 01 Dec 2026 12:00:00 GMT"},
		"X-Ms-Content-Sha256":    {"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		"User-Agent":             {"azsdk-net-Communication.CallAutomation/1.2.0 (.NET 8.0.1; Microsoft Windows 10.0.22631)"},
		"Range":                  {"bytes=1048576-"},
		"Accept":                 {"application/json"},
		"X-Ms-Client-Request-Id": {"0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"},
		"Traceparent":            {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
	}
}

func TestAnEntryKeepsAtMostItsHeaderBoundAndSaysWhatItCut(t *testing.T) {
	j := NewWithLimits(Limits{HeaderBytes: 4 << 10})
	j.Add(Entry{Path: "/big", Header: manyHeaders(4000)})
	j.Add(Entry{Path: "/small", Header: sdkHeaders()})
	es := j.Query(Filter{})
	big, small := es[0], es[1]
	kept := 0
	for k, vs := range big.Header {
		for _, v := range vs {
			kept += headerCost(k, v)
		}
	}
	if kept > 4<<10 || kept < 3<<10 {
		t.Errorf("kept %d header bytes, want close to and within 4096", kept)
	}
	if big.HeadersDropped != 4000-len(big.Header) || big.HeaderBytesDropped < 300_000 {
		t.Errorf("dropped %d values (%d bytes), kept %d: the entry must say what was cut", big.HeadersDropped, big.HeaderBytesDropped, len(big.Header))
	}
	if got := big.Header.Get("X-Custom-00000"); got == "" {
		t.Error("the first headers in name order are the ones kept")
	}
	if small.HeadersDropped != 0 || len(small.Header) != len(sdkHeaders()) {
		t.Errorf("an ordinary entry lost headers: %d dropped", small.HeadersDropped)
	}
	if s := Size(&big); s > 8<<10 {
		t.Errorf("the capped entry costs %d bytes", s)
	}
}

func TestTheJournalEvictsTheOldestBeyondItsByteBound(t *testing.T) {
	const bound = 256 << 10
	j := NewWithLimits(Limits{Entries: 1_000_000, Bytes: bound, HeaderBytes: 16 << 10})
	var last int64
	for i := range 500 {
		last = j.Add(Entry{Path: fmt.Sprintf("/r/%d", i), Header: manyHeaders(150)})
		if u := j.Usage(); u.Bytes > bound {
			t.Fatalf("after %d entries the journal holds %d bytes, over its bound %d", i+1, u.Bytes, bound)
		}
	}
	u := j.Usage()
	es := j.Query(Filter{})
	if len(es) != u.Entries || u.Entries < 10 || int64(u.Entries)+u.Dropped != 500 {
		t.Fatalf("usage %+v, %d listed", u, len(es))
	}
	if es[len(es)-1].ID != last || es[0].ID != last-int64(len(es))+1 {
		t.Fatalf("kept ids %d..%d, want the newest, ending at %d", es[0].ID, es[len(es)-1].ID, last)
	}
	j.Reset()
	if u := j.Usage(); u.Bytes != 0 || u.Entries != 0 {
		t.Fatalf("reset left %+v", u)
	}
}

func TestListPagesOldestFirstWithACursor(t *testing.T) {
	j := New(5000)
	for i := range 2500 {
		j.Add(Entry{Plane: PlaneData, Path: fmt.Sprintf("/r/%d", i)})
	}
	var got []Entry
	f := Filter{Plane: PlaneData}
	for pages := 0; ; pages++ {
		page, next := j.List(f)
		if len(page) > MaxPage || pages > 3 {
			t.Fatalf("page %d has %d entries", pages, len(page))
		}
		got = append(got, page...)
		if next == 0 {
			break
		}
		if next != page[len(page)-1].ID {
			t.Fatalf("cursor %d is not the last id listed %d", next, page[len(page)-1].ID)
		}
		f.AfterID = next
	}
	if len(got) != 2500 || got[0].Path != "/r/0" || got[2499].Path != "/r/2499" {
		t.Fatalf("paged %d entries, %s..%s", len(got), got[0].Path, got[len(got)-1].Path)
	}
	if page, next := j.List(Filter{Limit: 5000}); len(page) != MaxPage || next != 0 || page[MaxPage-1].Path != "/r/2499" {
		t.Fatalf("an explicit limit over MaxPage listed %d (next %d)", len(page), next)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkJournalBytes prints what a typical entry and an entry at the
// header bound cost, as accounted (Size) and as measured on the heap, and
// the heap of a journal filled to its byte bound with the latter.
func BenchmarkJournalBytes(b *testing.B) {
	for _, c := range []struct {
		name   string
		header func() http.Header
	}{{"typical", sdkHeaders}, {"4000-headers", func() http.Header { return manyHeaders(4000) }}} {
		b.Run(c.name, func(b *testing.B) {
			const n = 200
			for range b.N {
				j := NewWithLimits(Limits{Entries: n, Bytes: 1 << 40})
				before := heapInUse()
				for i := range n {
					j.Add(Entry{Plane: PlaneData, Target: TargetMedia, Method: "GET", Path: fmt.Sprintf("/v1/objects/0-eus-d%d-abc/content/audio", i),
						Status: 206, Header: c.header(), Auth: &Auth{OK: true, Variant: "sdk"}})
				}
				measured := float64(heapInUse()-before) / n
				accounted := float64(j.Usage().Bytes) / n
				b.ReportMetric(measured, "heap-B/entry")
				b.ReportMetric(accounted, "accounted-B/entry")
				b.ReportMetric(measured/accounted, "heap/accounted")
				runtime.KeepAlive(j)
			}
		})
	}
	b.Run("at-the-cap", func(b *testing.B) {
		for range b.N {
			j := NewWithLimits(Limits{Entries: 1_000_000}) // bytes bound by DefaultMaxBytes only
			before := heapInUse()
			for i := range 2_000 { // 2,000 x 4,000 headers was 1.4 GB before the bounds
				j.Add(Entry{Path: fmt.Sprintf("/r/%d", i), Header: manyHeaders(4000)})
			}
			measured := float64(heapInUse() - before)
			b.ReportMetric(measured/(1<<20), "heap-MiB")
			b.ReportMetric(float64(j.Usage().Bytes)/(1<<20), "accounted-MiB")
			b.ReportMetric(float64(DefaultMaxBytes)/(1<<20), "bound-MiB")
			b.ReportMetric(float64(j.Usage().Entries), "entries-kept")
			runtime.KeepAlive(j)
		}
	})
}
