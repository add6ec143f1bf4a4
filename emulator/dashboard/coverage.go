package dashboard

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/journal"
)

// MaxSegments bounds the requests one document's coverage lists (newest kept).
const MaxSegments = 200

// Span is an inclusive byte range.
type Span struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

func (s Span) len() int64 { return s.End - s.Start + 1 }

// Segment is what one request did to a document's bytes.
type Segment struct {
	RequestID int64     `json:"requestId"`
	Time      time.Time `json:"time"`
	Asked     string    `json:"asked"` // the Range header, "" for the whole file
	Status    int       `json:"status"`
	// Served is the range the answer covered (its Content-Range, or the whole
	// file for a 200); nil when no body was served.
	Served *Span `json:"served,omitempty"`
	// Delivered counts the body bytes that left the emulator.
	Delivered int64 `json:"delivered"`
	// Cut names the fault action that ended the body early (reset, truncate,
	// stall...) and CutAt the offset of the first byte not sent.
	Cut   string `json:"cut,omitempty"`
	CutAt int64  `json:"cutAt,omitempty"`
	Fault string `json:"fault,omitempty"`
	// Relation says where this request starts compared with where the
	// previous one stopped: first, continues, resumed, gap, overlap.
	Relation string `json:"relation"`
	Note     string `json:"note"`
}

// Coverage is which bytes of a document clients received, request by request.
type Coverage struct {
	Size     int64     `json:"size"`
	Segments []Segment `json:"segments"`
	// Omitted counts older requests left out (MaxSegments).
	Omitted int `json:"omitted,omitempty"`
	// Covered are the bytes delivered at least once, Gaps those never
	// delivered, Overlaps those delivered more than once.
	Covered   []Span `json:"covered"`
	Gaps      []Span `json:"gaps"`
	Overlaps  []Span `json:"overlaps"`
	Delivered int64  `json:"delivered"` // distinct bytes delivered
	Complete  bool   `json:"complete"`
	Summary   string `json:"summary"`
}

// BuildCoverage works out the coverage of a document of size bytes from the
// journal entries of its media requests, taken in the order they began. size < 0 means unknown
// (a deleted document): the end of the furthest served range stands in.
func BuildCoverage(size int64, entries []journal.Entry) Coverage {
	c := Coverage{Size: size, Segments: []Segment{}, Covered: []Span{}, Gaps: []Span{}, Overlaps: []Span{}}
	// The journal numbers requests as they end; a cut request can end after
	// the one that resumed it. Where the client resumed is about when each
	// request began.
	entries = slices.Clone(entries)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Time.Before(entries[j].Time) })
	if len(entries) > MaxSegments {
		c.Omitted = len(entries) - MaxSegments
		entries = entries[len(entries)-MaxSegments:]
	}
	var prev *Segment
	var delivered []Span
	for i := range entries {
		seg := segmentOf(&entries[i], size)
		if seg.Served != nil && size < 0 {
			c.Size = max(c.Size, seg.Served.End+1)
		}
		relate(&seg, prev)
		if seg.Served != nil && seg.Delivered > 0 {
			delivered = append(delivered, Span{seg.Served.Start, seg.Served.Start + seg.Delivered - 1})
		}
		c.Segments = append(c.Segments, seg)
		if seg.Served != nil {
			prev = &c.Segments[len(c.Segments)-1]
		}
	}
	c.Covered, c.Overlaps = union(delivered)
	for _, s := range c.Covered {
		c.Delivered += s.len()
	}
	c.Gaps = complement(c.Covered, c.Size)
	c.Complete = c.Size > 0 && len(c.Gaps) == 0
	c.Summary = summarize(c)
	return c
}

// segmentOf reads one journal entry.
func segmentOf(e *journal.Entry, size int64) Segment {
	seg := Segment{RequestID: e.ID, Time: e.Time, Asked: e.RangeAsked, Status: e.Status, Delivered: e.BytesSent, Fault: e.Fault}
	if e.Method == "HEAD" {
		seg.Delivered = 0
	}
	switch {
	case e.Status == 206:
		if sp, ok := parseServed(e.RangeServed); ok {
			seg.Served = &sp
		}
	case e.Status == 200 && e.Method != "HEAD" && size > 0:
		seg.Served = &Span{0, size - 1}
	case e.Status == 200 && e.Method != "HEAD" && e.BytesSent > 0:
		seg.Served = &Span{0, e.BytesSent - 1}
	}
	if seg.Served == nil {
		seg.Delivered = 0
		return seg
	}
	seg.Delivered = min(seg.Delivered, seg.Served.len())
	if action := faultAction(e.Fault); action != "" {
		if seg.Delivered < seg.Served.len() {
			seg.Cut, seg.CutAt = action, seg.Served.Start+seg.Delivered
		} else if action == "stall" {
			seg.Cut, seg.CutAt = action, -1 // paused, not cut
		}
	} else if seg.Delivered < seg.Served.len() {
		seg.Cut, seg.CutAt = "client", seg.Served.Start+seg.Delivered // the client hung up
	}
	return seg
}

// parseServed reads "bytes=A-B" (the first range of a multi-range answer).
func parseServed(s string) (Span, bool) {
	s, ok := strings.CutPrefix(s, "bytes=")
	if !ok {
		return Span{}, false
	}
	s, _, _ = strings.Cut(s, ",")
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return Span{}, false
	}
	return Span{start, end}, true
}

// faultAction is the action of a journal fault text "<rule> <action>: ...".
func faultAction(fault string) string {
	head, _, ok := strings.Cut(fault, ":")
	if !ok {
		return ""
	}
	fields := strings.Fields(head)
	if len(fields) < 2 {
		return ""
	}
	return fields[len(fields)-1]
}

// relate says where seg starts compared with where prev stopped.
func relate(seg *Segment, prev *Segment) {
	switch {
	case seg.Served == nil:
		seg.Relation, seg.Note = "none", fmt.Sprintf("no body served (status %d)", seg.Status)
		return
	case prev == nil:
		seg.Relation, seg.Note = "first", "first request, from byte "+commas(seg.Served.Start)
	default:
		next := prev.Served.Start + prev.Delivered
		start := seg.Served.Start
		switch {
		case start == next && prev.Cut != "" && prev.Cut != "stall":
			seg.Relation, seg.Note = "resumed", "resumed at byte "+commas(start)+" where the "+prev.Cut+" cut the previous request"
		case start == next:
			seg.Relation, seg.Note = "continues", "continues at byte "+commas(start)
		case start > next:
			seg.Relation, seg.Note = "gap", fmt.Sprintf("GAP: bytes %s–%s (%s bytes) skipped after the previous request", commas(next), commas(start-1), commas(start-next))
		default:
			seg.Relation, seg.Note = "overlap", fmt.Sprintf("OVERLAP: bytes %s–%s (%s bytes) asked again", commas(start), commas(next-1), commas(next-start))
		}
	}
	switch {
	case seg.Cut == "stall":
		seg.Note += "; stalled by a fault"
	case seg.Cut == "client":
		seg.Note += fmt.Sprintf("; the client stopped reading at byte %s", commas(seg.CutAt))
	case seg.Cut != "":
		seg.Note += fmt.Sprintf("; %s cut it at byte %s (%s of %s bytes sent)", seg.Cut, commas(seg.CutAt), commas(seg.Delivered), commas(seg.Served.len()))
	}
}

// union merges spans; overlaps are the bytes inside two or more of them.
func union(spans []Span) (covered, overlaps []Span) {
	covered, overlaps = []Span{}, []Span{}
	if len(spans) == 0 {
		return covered, overlaps
	}
	sorted := append([]Span(nil), spans...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	cur := sorted[0]
	for _, s := range sorted[1:] {
		if s.Start <= cur.End { // overlapping bytes: s.Start..min(ends)
			addSpan(&overlaps, Span{s.Start, min(s.End, cur.End)})
		}
		if s.Start <= cur.End+1 {
			cur.End = max(cur.End, s.End)
			continue
		}
		covered = append(covered, cur)
		cur = s
	}
	return append(covered, cur), overlaps
}

// addSpan appends s to a sorted list, merging it with the last span if they touch.
func addSpan(list *[]Span, s Span) {
	if n := len(*list); n > 0 && s.Start <= (*list)[n-1].End+1 {
		(*list)[n-1].End = max((*list)[n-1].End, s.End)
		return
	}
	*list = append(*list, s)
}

// complement is [0, size) minus the sorted, disjoint covered spans.
func complement(covered []Span, size int64) []Span {
	out := []Span{}
	next := int64(0)
	for _, s := range covered {
		if s.Start > next {
			out = append(out, Span{next, s.Start - 1})
		}
		next = max(next, s.End+1)
	}
	if next < size {
		out = append(out, Span{next, size - 1})
	}
	return out
}

func summarize(c Coverage) string {
	if len(c.Segments) == 0 {
		return "not downloaded: no request yet"
	}
	var parts []string
	if c.Complete {
		parts = append(parts, fmt.Sprintf("complete: all %s bytes delivered", commas(c.Size)))
	} else {
		parts = append(parts, fmt.Sprintf("incomplete: %s of %s bytes delivered", commas(c.Delivered), commas(c.Size)))
	}
	for _, g := range c.Gaps {
		parts = append(parts, fmt.Sprintf("GAP %s–%s (%s bytes never delivered)", commas(g.Start), commas(g.End), commas(g.len())))
	}
	for _, o := range c.Overlaps {
		parts = append(parts, fmt.Sprintf("OVERLAP %s–%s (%s bytes delivered more than once)", commas(o.Start), commas(o.End), commas(o.len())))
	}
	return strings.Join(parts, "; ")
}

// commas writes n with thousands separators, as people read byte offsets.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
