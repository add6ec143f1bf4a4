package emulator

import (
	"net/url"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/wire"
)

// The client sends a filter as Values and the server reads it back with
// parseRequestFilter: every field must survive the trip.
func TestRequestFilterRoundTrip(t *testing.T) {
	f := api.RequestFilter{Plane: "data", Target: "media", Method: "GET", PathPrefix: "/v1/objects/", DocumentID: "d1",
		Status: 206, RangePrefix: "bytes=1048576-", HasRange: "yes", AuthOK: "true", Fault: "reset", AfterID: 7, Limit: 3}
	got, err := parseRequestFilter(f.Values())
	if err != nil || got != f {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if s := f.String(); !strings.Contains(s, "documentId=d1") || !strings.Contains(s, "rangePrefix=bytes=1048576-") {
		t.Fatalf("String: %s", s)
	}
	if empty := (api.RequestFilter{}).String(); empty != "{}" {
		t.Fatalf("empty filter shows %s", empty)
	}
}

// Any query either is refused with a 400 or reads as a filter that survives
// the client's encoding unchanged; none panics.
func FuzzParseRequestFilter(f *testing.F) {
	f.Add("documentId=d1&rangePrefix=bytes%3D10-&status=206&limit=3")
	f.Add("hasRange=maybe&afterId=-1")
	f.Add("wait=1s&count=2&plane=data")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		got, err := parseRequestFilter(q)
		if err != nil {
			if we, ok := err.(*wire.Error); !ok || we.Status != 400 {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		again, err := parseRequestFilter(got.Values())
		if err != nil || again != got {
			t.Fatalf("%q: %+v then %+v, %v", raw, got, again, err)
		}
	})
}

func TestPrefersHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"": false, "*/*": false, "application/json": false,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"application/json, text/html;q=0.5":                               false,
		"text/html;q=0":                                                   false,
		"text/html;q=0.9, application/json;q=0.8":                         true,
	} {
		if got := prefersHTML(accept); got != want {
			t.Errorf("%q: %v, want %v", accept, got, want)
		}
	}
}
