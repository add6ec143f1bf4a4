package emulator_test

import (
	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
	"net/url"
	"testing"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func eventgridFilterForRecordings() filter.Spec {
	return filter.Spec{IncludedEventTypes: []string{"Microsoft.Communication.RecordingFileStatusUpdated"}}
}
