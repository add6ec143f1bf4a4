package dashboard

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator/journal"
)

func get(id int64, asked, served string, status int, sent int64, fault string) journal.Entry {
	return journal.Entry{ID: id, Method: "GET", RangeAsked: asked, RangeServed: served, Status: status, BytesSent: sent, Fault: fault}
}

func TestBuildCoverage(t *testing.T) {
	const size = 1000
	tests := []struct {
		name      string
		entries   []journal.Entry
		relations []string
		gaps      []Span
		overlaps  []Span
		complete  bool
		note      string // in the last segment's note
	}{
		{"whole file", []journal.Entry{get(1, "", "", 200, 1000, "")},
			[]string{"first"}, []Span{}, []Span{}, true, "from byte 0"},
		{"reset then resumed where it was cut",
			[]journal.Entry{get(1, "", "", 200, 400, "f1 reset: connection reset (TCP RST) after 400 of 1000 body bytes"),
				get(2, "bytes=400-", "bytes=400-999", 206, 600, "")},
			[]string{"first", "resumed"}, []Span{}, []Span{}, true, "where the reset cut"},
		{"reset then resumed too far: a gap",
			[]journal.Entry{get(1, "", "", 200, 400, "f1 reset: connection reset"),
				get(2, "bytes=500-", "bytes=500-999", 206, 500, "")},
			[]string{"first", "gap"}, []Span{{400, 499}}, []Span{}, false, "GAP: bytes 400–499"},
		{"truncate then resumed too early: an overlap",
			[]journal.Entry{get(1, "bytes=0-", "bytes=0-999", 206, 400, "f1 truncate: closed the connection"),
				get(2, "bytes=300-", "bytes=300-999", 206, 700, "")},
			[]string{"first", "overlap"}, []Span{}, []Span{{300, 399}}, true, "OVERLAP: bytes 300–399"},
		{"reset and never resumed",
			[]journal.Entry{get(1, "", "", 200, 250, "f1 reset: connection reset")},
			[]string{"first"}, []Span{{250, 999}}, []Span{}, false, "reset cut it at byte 250"},
		{"a 503 serves nothing",
			[]journal.Entry{get(1, "bytes=0-", "", 503, 120, "f1 status: answered 503"), get(2, "bytes=0-", "bytes=0-999", 206, 1000, "")},
			[]string{"none", "first"}, []Span{}, []Span{}, true, "first request"},
		{"chunks in order", []journal.Entry{get(1, "bytes=0-499", "bytes=0-499", 206, 500, ""), get(2, "bytes=500-999", "bytes=500-999", 206, 500, "")},
			[]string{"first", "continues"}, []Span{}, []Span{}, true, "continues at byte 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := BuildCoverage(size, tt.entries)
			var rel []string
			for _, s := range c.Segments {
				rel = append(rel, s.Relation)
			}
			if !reflect.DeepEqual(rel, tt.relations) {
				t.Errorf("relations %v, want %v", rel, tt.relations)
			}
			if !reflect.DeepEqual(c.Gaps, tt.gaps) || !reflect.DeepEqual(c.Overlaps, tt.overlaps) || c.Complete != tt.complete {
				t.Errorf("gaps %v overlaps %v complete %v; want %v %v %v", c.Gaps, c.Overlaps, c.Complete, tt.gaps, tt.overlaps, tt.complete)
			}
			if last := c.Segments[len(c.Segments)-1].Note; !strings.Contains(last, tt.note) {
				t.Errorf("note %q lacks %q", last, tt.note)
			}
		})
	}
}

func TestCoverageOfADeletedDocumentUsesTheFurthestByte(t *testing.T) {
	c := BuildCoverage(-1, []journal.Entry{get(1, "bytes=0-99", "bytes=0-99", 206, 100, "")})
	if c.Size != 100 || !c.Complete {
		t.Errorf("size %d complete %v", c.Size, c.Complete)
	}
}

func TestCoverageKeepsTheNewestSegments(t *testing.T) {
	var es []journal.Entry
	for i := range MaxSegments + 5 {
		es = append(es, get(int64(i+1), "bytes=0-9", "bytes=0-9", 206, 10, ""))
	}
	c := BuildCoverage(10, es)
	if len(c.Segments) != MaxSegments || c.Omitted != 5 || c.Segments[0].RequestID != 6 {
		t.Errorf("%d segments, %d omitted, first %d", len(c.Segments), c.Omitted, c.Segments[0].RequestID)
	}
}

func FuzzParseServed(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=5-", "bytes=1-2,4-5", "", "bytes=9-1", "bytes=-1-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, ok := parseServed(s)
		if ok && (sp.Start < 0 || sp.End < sp.Start) {
			t.Fatalf("%q gave %+v", s, sp)
		}
	})
}

func TestCoverageTakesRequestsInTheOrderTheyBegan(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	cut := get(2, "", "", 200, 400, "f1 reset: connection reset")
	cut.Time = t0
	resumed := get(1, "bytes=400-", "bytes=400-999", 206, 600, "") // journaled first, begun later
	resumed.Time = t0.Add(time.Millisecond)
	c := BuildCoverage(1000, []journal.Entry{resumed, cut})
	if c.Segments[0].RequestID != 2 || c.Segments[1].Relation != "resumed" || !c.Complete {
		t.Fatalf("segments %+v", c.Segments)
	}
}
