package emulator

import (
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/api"
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
