package faults_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/acsemu/acsemu/emulator/faults"
)

// Reset goes back to the rules loaded at start, with fresh counters.
func TestResetRestoresTheInitialRules(t *testing.T) {
	rs, _ := faults.ParseRules([]byte(`[{"id":"boot","action":{"type":"status","status":503}}]`))
	inj, err := faults.New(faults.Options{Rules: rs})
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	if _, err := inj.Add(faults.Rule{Action: &faults.Drop{}}); err != nil {
		t.Fatal(err)
	}
	inj.Begin(httptest.NewRequest(http.MethodGet, "/v1/objects/d/content/audio", nil), faults.Request{Target: "media"})
	inj.Reset()
	got := inj.Rules()
	if len(got) != 1 || got[0].Rule.ID != "boot" || got[0].Matched != 0 {
		t.Errorf("after Reset: %+v", got)
	}
}
