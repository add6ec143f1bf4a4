package eventgrid_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func TestHandlerErrors(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	e, _ := newEngine(t, eventgrid.Options{})
	srv := httptest.NewServer(emulator.NewControlHandler(emulator.ControlParts{Events: e}))
	defer srv.Close()
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "h", EndpointURL: hook.URL})
	for _, tc := range []struct {
		method, path, contentType, body string
		status                          int
		code, message                   string
	}{
		{"PATCH", "/_emulator/subscriptions/h", "", "", 405, "MethodNotAllowed", "use GET or PUT or DELETE"},
		{"DELETE", "/_emulator/subscriptions", "", "", 405, "MethodNotAllowed", "use POST or GET"},
		{"GET", "/_emulator/events", "", "", 405, "MethodNotAllowed", "use POST"},
		{"GET", "/_emulator/subscriptions/nope", "", "", 404, "NotFound", `"nope"`},
		{"GET", "/_emulator/nothing/here", "", "", 404, "NotFound", "no control route"},
		{"POST", "/_emulator/subscriptions", "application/json", `{"name":"x","endpointUrl":"http://a","maxEventPerBatch":3}`, 400, "InvalidArgument", `unknown field "maxEventPerBatch"`},
		{"POST", "/_emulator/subscriptions", "application/json", `{"name":"x"}`, 400, "InvalidSubscriptionSetting", "endpointUrl: required"},
		{"PUT", "/_emulator/subscriptions/h", "application/json", `{"name":"other","endpointUrl":"http://a"}`, 400, "InvalidSubscriptionSetting", "path names"},
		{"POST", "/_emulator/subscriptions/h/drain?timeout=forever", "", "", 400, "InvalidArgument", "timeout"},
		{"POST", "/_emulator/events", "application/json", `[{"subject":"s"}]`, 400, "InvalidEvent", "eventType is required"},
		{"POST", "/_emulator/events", "application/json", `[{"specversion":"0.3","type":"T"}]`, 400, "InvalidEvent", "specversion"},
		{"POST", "/_emulator/events", "application/json", `"nope"`, 400, "InvalidEvent", "object or array"},
		{"POST", "/_emulator/events", "application/json", `[]`, 400, "InvalidEvent", "no events"},
		{"POST", "/_emulator/events", "application/json", strings.Repeat(" ", eventgrid.MaxPublishBody+1), 413, "PayloadTooLarge", "request body"},
	} {
		code, body := httpDo(t, tc.method, srv.URL+tc.path, tc.contentType, tc.body)
		var env struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(body, &env)
		if code != tc.status || env.Error.Code != tc.code || !strings.Contains(env.Error.Message, tc.message) {
			t.Errorf("%s %s: %d %s, want %d %s ~%q", tc.method, tc.path, code, body, tc.status, tc.code, tc.message)
		}
	}
}

func TestHandlerPublishesEventGridJSON(t *testing.T) {
	hook := newWebhook(t, hookCfg{})
	e, m := newEngine(t, eventgrid.Options{Seed: 3})
	srv := httptest.NewServer(emulator.NewControlHandler(emulator.ControlParts{Events: e}))
	defer srv.Close()
	subscribe(t, e, eventgrid.SubscriptionSpec{Name: "eg", EndpointURL: hook.URL})
	code, body := httpDo(t, http.MethodPost, srv.URL+"/_emulator/events", "application/json",
		`[{"subject":"/a","eventType":"T","data":{"n":1},"dataVersion":"2.0"},{"id":"given","subject":"/b","eventType":"T","eventTime":"2024-01-01T00:00:00.1234567Z"}]`)
	var res eventgrid.PublishResult
	if err := json.Unmarshal(body, &res); code != 200 || err != nil || len(res.IDs) != 2 || res.IDs[1] != "given" || res.IDs[0] == "" {
		t.Fatalf("%d %s", code, body)
	}
	drain(t, e, m, "eg")
	var evs []map[string]any
	for _, r := range hook.received() {
		var arr []map[string]any
		_ = json.Unmarshal(r.Body, &arr)
		evs = append(evs, arr...)
	}
	if len(evs) != 2 || evs[0]["dataVersion"] != "2.0" || evs[0]["eventTime"] != "2024-05-01T12:00:00Z" ||
		evs[1]["eventTime"] != "2024-01-01T00:00:00.1234567Z" || evs[0]["metadataVersion"] != "1" || evs[0]["topic"] != eventgrid.DefaultTopic {
		t.Errorf("delivered %v", evs)
	}
}
