package emulator_test

import (
	"net/url"
	"testing"

	"github.com/acsemu/acsemu/emulator/api"
)

func mustURL(t *testing.T, s string) *url.URL {

	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func eventgridFilterForRecordings() api.EventFilter {
	return api.EventFilter{IncludedEventTypes: []string{"Microsoft.Communication.RecordingFileStatusUpdated"}}
}
