package faults_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/wire"
)

func TestControlRoutes(t *testing.T) {
	inj, err := faults.New(faults.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	call := func(method, path, body string) (int, any, error) {
		return inj.ServeControl(httptest.NewRequest(method, "/_emulator/"+path, strings.NewReader(body)), path)
	}
	status, v, err := call("POST", "faults", `{"action":{"type":"status","status":503}}`)
	if err != nil || status != 201 || v.(faults.RuleStatus).Rule.ID != "f1" {
		t.Fatalf("create: %d %+v %v", status, v, err)
	}
	status, v, err = call("POST", "faults", `[{"id":"cut","action":{"type":"reset"}},{"match":{"target":"delivery"},"action":{"type":"drop"}}]`)
	if err != nil || status != 201 || len(v.([]faults.RuleStatus)) != 2 || v.([]faults.RuleStatus)[1].Rule.ID != "f2" {
		t.Fatalf("create list: %d %+v %v", status, v, err)
	}
	_, _, err = call("POST", "faults", `{"id":"cut","action":{"type":"reset"}}`)
	checkWireErr(t, err, 400, "id: \"cut\" is already taken")
	_, _, err = call("POST", "faults", `[{"action":{"type":"drop"}},{"action":{"type":"reset","afterPercent":150}}]`)
	checkWireErr(t, err, 400, "[1].action.afterPercent: must be at least 0 and below 100")
	if _, v, _ := call("GET", "faults", ""); len(v.([]faults.RuleStatus)) != 3 {
		t.Errorf("list %+v", v)
	}
	if status, v, err := call("GET", "faults/cut", ""); status != 200 || err != nil || v.(faults.RuleStatus).Rule.Action.Kind() != "reset" {
		t.Errorf("get: %d %+v %v", status, v, err)
	}
	if status, _, err := call("DELETE", "faults/cut", ""); status != 204 || err != nil {
		t.Errorf("delete: %d %v", status, err)
	}
	_, _, err = call("GET", "faults/cut", "")
	checkWireErr(t, err, 404, `no fault rule "cut"`)
	if status, v, err := call("GET", "faults/violations", ""); status != 200 || err != nil || v.(faults.Violations).Count != 0 {
		t.Errorf("violations: %d %+v %v", status, v, err)
	}
	if status, _, err := call("DELETE", "faults", ""); status != 204 || err != nil || len(inj.Rules()) != 0 {
		t.Errorf("clear: %d %v %d rules left", status, err, len(inj.Rules()))
	}
	_, _, err = call("PUT", "faults", "")
	checkWireErr(t, err, 405, "PUT is not allowed")
}

func checkWireErr(t *testing.T, err error, status int, msg string) {
	t.Helper()
	var we *wire.Error
	if !errors.As(err, &we) || we.Status != status || !strings.Contains(we.Message, msg) {
		t.Errorf("error %v, want %d with %q", err, status, msg)
	}
}

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
