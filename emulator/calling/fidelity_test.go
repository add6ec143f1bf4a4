package calling_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/calling"
)

// The facts these tests hold the emulator to are in
// shared/reference/acs-recorded-behaviour.md (traffic recorded from the real
// service by the Azure SDKs' live tests).

// rawSink keeps every callback body as sent.
type rawSink struct {
	srv *httptest.Server
	got chan []byte
}

func newRawSink(t *testing.T) *rawSink {
	s := &rawSink{got: make(chan []byte, 64)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.got <- b
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// next returns the next callback's only event as a generic JSON object.
func (s *rawSink) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case b := <-s.got:
		var evs []map[string]any
		if err := json.Unmarshal(b, &evs); err != nil || len(evs) != 1 {
			t.Fatalf("callback body %s: %v", b, err)
		}
		return evs[0]
	case <-time.After(10 * time.Second):
		t.Fatal("no callback within 10s")
		return nil
	}
}

func (s *rawSink) none(t *testing.T) {
	t.Helper()
	select {
	case b := <-s.got:
		t.Fatalf("unexpected callback %s", b)
	default:
	}
}

func stateOf(t *testing.T, e *env, id, version string) api.RecordingStateResponse {
	t.Helper()
	r := e.do(t, http.MethodGet, "/calling/recordings/"+id+"?api-version="+version, "", nil)
	var st api.RecordingStateResponse
	if r.status != 200 || json.Unmarshal([]byte(r.body), &st) != nil {
		t.Fatalf("state: %d %s", r.status, r.body)
	}
	return st
}

var sevenDigits = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$`)

// Item 1: start answers inactive, the first callback is inactive with the
// zero startDateTime, and the recording turns active once media flows.
func TestRecordingStartsInactiveThenTurnsActive(t *testing.T) {
	cases := []struct {
		name       string
		opts       emulator.Options
		settings   *api.CallSettings
		body       string
		startState string
		// before and after the activation delay (from start)
		delay             time.Duration
		callbacks         []string // states, in order, once the delay has passed
		firstStartDate    string
		finalState        string
		activeStartOffset time.Duration
	}{
		{name: "default", delay: calling.DefaultActivationDelay, startState: "inactive",
			callbacks: []string{"inactive", "active"}, firstStartDate: "0001-01-01T00:00:00+00:00", finalState: "active",
			activeStartOffset: calling.DefaultActivationDelay},
		{name: "delay set on the control plane", settings: &api.CallSettings{ActivationDelay: api.Duration(10 * time.Second)},
			delay: 10 * time.Second, startState: "inactive", callbacks: []string{"inactive", "active"},
			firstStartDate: "0001-01-01T00:00:00+00:00", finalState: "active", activeStartOffset: 10 * time.Second},
		{name: "pauseOnStart stays inactive", body: `,"pauseOnStart":true`, delay: time.Hour, startState: "inactive",
			callbacks: []string{"inactive"}, firstStartDate: "0001-01-01T00:00:00+00:00", finalState: "inactive"},
		{name: "legacy active on start", opts: emulator.Options{RecordingActivationDelay: -1}, startState: "active",
			callbacks: []string{"active"}, firstStartDate: "2025-03-01T09:00:00.0000000+00:00", finalState: "active"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.opts)
			sink := newRawSink(t)
			if c.settings != nil {
				if _, err := e.srv.Control().SetCallSettings(context.Background(), *c.settings); err != nil {
					t.Fatal(err)
				}
			}
			r := e.do(t, http.MethodPost, "/calling/recordings?"+apiVersion,
				`{`+locator+`,"recordingStateCallbackUri":"`+sink.srv.URL+`"`+c.body+`}`, nil)
			var st api.RecordingStateResponse
			if r.status != 200 || json.Unmarshal([]byte(r.body), &st) != nil || st.RecordingState != c.startState {
				t.Fatalf("start: %d %s, want %s", r.status, r.body, c.startState)
			}
			first := sink.next(t)
			data := first["data"].(map[string]any)
			if data["state"] != c.callbacks[0] || data["startDateTime"] != c.firstStartDate {
				t.Fatalf("first callback %v", data)
			}
			if c.delay > time.Second {
				e.clk.Advance(c.delay - time.Second)
				if got := stateOf(t, e, st.RecordingID, "2026-03-12").RecordingState; got != c.startState {
					t.Fatalf("a second before the delay: %s", got)
				}
				e.clk.Advance(time.Second)
			}
			if got := stateOf(t, e, st.RecordingID, "2026-03-12").RecordingState; got != c.finalState {
				t.Fatalf("after the delay: %s, want %s", got, c.finalState)
			}
			for _, want := range c.callbacks[1:] {
				ev := sink.next(t)
				data := ev["data"].(map[string]any)
				wantStart := t0.Add(c.activeStartOffset).Format("2006-01-02T15:04:05.0000000+00:00")
				if data["state"] != want || data["startDateTime"] != wantStart || ev["time"] != wantStart {
					t.Fatalf("callback %v at %v, want %s from %s", data, ev["time"], want, wantStart)
				}
			}
			sink.none(t)
		})
	}
}

// Item 2: the accepted versions, the header naming them, recordingKind by
// version, and the headers of every Call Automation answer.
func TestAPIVersionsAndResponseHeadersAsRecorded(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	id := e.start(t, `{`+locator+`}`)
	ga := "2023-03-06, 2023-10-15, 2024-04-15, 2024-06-15-preview, 2024-09-01-preview, 2024-09-15, 2024-11-15-preview, " +
		"2025-03-30-preview, 2025-05-15, 2025-06-15, 2025-08-15-preview, 2026-03-12"
	preview := "2023-10-03-preview, 2024-09-01-preview"
	cases := []struct {
		version   string
		status    int
		supported string
		kind      bool
	}{
		{"2026-03-12", 200, ga, true},
		{"2025-05-15", 200, ga, true},
		{"2024-04-15", 200, ga, true},
		{"2023-10-15", 200, ga, false},
		{"2023-03-06", 200, ga, false},
		{"2024-09-01-preview", 200, preview, true},
		{"2023-10-03-preview", 200, preview, false},
		{"2023-01-15-preview", 400, ga, false}, // served once, no longer listed
		{"2022-04-07-preview", 400, ga, false},
		{"2023-06-15-preview", 400, ga, false},
		{"2099-01-01", 400, ga, false},
	}
	for _, c := range cases {
		t.Run(c.version, func(t *testing.T) {
			r := e.do(t, http.MethodGet, "/calling/recordings/"+id+"?api-version="+c.version, "",
				http.Header{"X-Ms-Client-Request-Id": {"6d1c3b9a-0000-4000-8000-000000000001"}, "User-Agent": {"azsdk-js-test"}})
			if r.status != c.status || r.header.Get("Api-Supported-Versions") != c.supported {
				t.Fatalf("%d %q %s", r.status, r.header.Get("Api-Supported-Versions"), r.body)
			}
			if c.status == 400 && !strings.Contains(r.body, `"code":"UnsupportedApiVersion"`) {
				t.Fatalf("unknown version answered %s", r.body)
			}
			if c.status == 200 && strings.Contains(r.body, "recordingKind") != c.kind {
				t.Fatalf("recordingKind present=%v at %s: %s", !c.kind, c.version, r.body)
			}
			checkServiceHeaders(t, r.header)
		})
	}
	// The headers are there on a 401 too.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL()+"/calling/recordings/"+id+"?"+apiVersion, nil)
	req.Header.Set("X-Ms-Client-Request-Id", "6d1c3b9a-0000-4000-8000-000000000001")
	req.Header.Set("User-Agent", "azsdk-js-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("unsigned: %d", resp.StatusCode)
	}
	checkServiceHeaders(t, resp.Header)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func checkServiceHeaders(t *testing.T, h http.Header) {
	t.Helper()
	cv, _ := strings.CutSuffix(h.Get("MS-CV"), ".0")
	raw, err := base64.StdEncoding.DecodeString(cv)
	if h.Get("X-Ms-Client-Request-Id") != "6d1c3b9a-0000-4000-8000-000000000001" || !uuidPattern.MatchString(h.Get("X-Microsoft-Skype-Chain-ID")) ||
		err != nil || len(raw) != 12 || h.Get("X-Microsoft-Skype-Client") != "azsdk-js-test" || h.Get("X-Ms-Client-Version") != "azsdk-js-test" {
		t.Fatalf("service headers %v", h)
	}
}

// Item 2: the preview result route, in the recorded shape, only at 2024-09-01-preview.
func TestRecordingResultPreviewRoute(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	id := e.start(t, `{`+locator+`,"recordingChannelType":"unmixed"}`)
	result := "/calling/recordings/" + id + "/result?api-version="
	if r := e.do(t, http.MethodGet, result+"2024-09-01-preview", "", nil); r.status != 404 ||
		!jsonEq(t, r.body, `{"error":{"code":"8522","message":"Recording not found."}}`) || r.header.Get("X-Acsemu-Explanation") == "" {
		t.Fatalf("result while recording: %d %s", r.status, r.body)
	}
	e.clk.Advance(time.Minute)
	e.must(t, http.MethodDelete, "/calling/recordings/"+id+"?"+apiVersion, 204)
	cases := []struct {
		version   string
		status    int
		supported string
	}{
		{"2024-09-01-preview", 200, "2024-09-01-preview"},
		{"2026-03-12", 400, "2024-09-01-preview"},
		{"2023-10-03-preview", 400, "2024-09-01-preview"},
	}
	for _, c := range cases {
		r := e.do(t, http.MethodGet, result+c.version, "", nil)
		if r.status != c.status || r.header.Get("Api-Supported-Versions") != c.supported {
			t.Fatalf("%s: %d %q %s", c.version, r.status, r.header.Get("Api-Supported-Versions"), r.body)
		}
		if c.status != 200 {
			continue
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"errors", "recordingDurationMs", "recordingExpirationTime", "recordingId", "recordingStartTime", "recordingStorageInfo", "sessionEndReason"}
		if !slices.Equal(keys, want) || got["recordingId"] != id || got["recordingExpirationTime"] != "0001-01-01T00:00:00Z" ||
			len(got["errors"].([]any)) != 0 || got["recordingDurationMs"] != float64(58000) {
			t.Fatalf("result %s", r.body)
		}
		chunk := got["recordingStorageInfo"].(map[string]any)["recordingChunks"].([]any)[0].(map[string]any)
		doc := chunk["documentId"].(string)
		if chunk["contentLocation"] != e.srv.URL()+"/v1/objects/"+doc+"/content/audiowavmultichannel" ||
			chunk["metadataLocation"] != e.srv.URL()+"/v1/objects/"+doc+"/content/acsmetadata" ||
			chunk["deleteLocation"] != e.srv.URL()+"/v1/objects/"+doc || chunk["index"] != float64(0) || chunk["endReason"] != "SessionEnded" {
			t.Fatalf("chunk %v", chunk)
		}
	}
}

// Item 3: the RecordingStateChanged envelope, and the recording id encoding
// the call connection id.
func TestRecordingStateChangedEnvelopeAsRecorded(t *testing.T) {
	cases := []struct {
		name, start string
		callConn    string // "" when the emulator makes one up
	}{
		{"call connection", `"callConnectionId":"421f3500-aaaa-4bbb-8ccc-123456789abc"`, "421f3500-aaaa-4bbb-8ccc-123456789abc"},
		{"server call locator", locator, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			sink := newRawSink(t)
			r := e.do(t, http.MethodPost, "/calling/recordings?api-version=2025-05-15", `{`+c.start+`,"recordingStateCallbackUri":"`+sink.srv.URL+`"}`, nil)
			var st api.RecordingStateResponse
			if r.status != 200 || json.Unmarshal([]byte(r.body), &st) != nil {
				t.Fatalf("start %d %s", r.status, r.body)
			}
			e.clk.Advance(calling.DefaultActivationDelay)
			for range 2 {
				ev := sink.next(t)
				data := ev["data"].(map[string]any)
				source := "calling/recordings/" + data["serverCallId"].(string) + "/" + st.RecordingID + "/RecordingStateChanged"
				if ev["source"] != source || ev["subject"] != source || ev["type"] != "Microsoft.Communication.RecordingStateChanged" ||
					ev["specversion"] != "1.0" || !sevenDigits.MatchString(ev["time"].(string)) || !uuidPattern.MatchString(ev["id"].(string)) {
					t.Fatalf("envelope %v", ev)
				}
				keys := make([]string, 0, len(data))
				for k := range data {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				want := []string{"callConnectionId", "correlationId", "publicEventType", "recordingId", "recordingKind", "resultInformation",
					"serverCallId", "startDateTime", "state", "version"}
				ri, _ := json.Marshal(data["resultInformation"])
				if !slices.Equal(keys, want) || data["version"] != "2025-05-15" || data["publicEventType"] != "Microsoft.Communication.RecordingStateChanged" ||
					data["recordingKind"] != "azureCommunicationServices" || string(ri) != `{"code":200,"message":"","subCode":0}` {
					t.Fatalf("data %v", data)
				}
				if data["state"] == "active" && !sevenDigits.MatchString(data["startDateTime"].(string)) {
					t.Fatalf("startDateTime %v", data["startDateTime"])
				}
				// The recording id is unpadded base64url of {"PlatformEndpointId": <call connection id>, "ResourceSpecificId": <uuid>}.
				raw, err := base64.RawURLEncoding.DecodeString(st.RecordingID)
				var decoded struct{ PlatformEndpointId, ResourceSpecificId string }
				if err != nil || json.Unmarshal(raw, &decoded) != nil || decoded.PlatformEndpointId != data["callConnectionId"] ||
					!uuidPattern.MatchString(decoded.ResourceSpecificId) || (c.callConn != "" && decoded.PlatformEndpointId != c.callConn) ||
					(c.callConn == "" && !uuidPattern.MatchString(decoded.PlatformEndpointId)) {
					t.Fatalf("recording id %s decodes to %s; callConnectionId %v", st.RecordingID, raw, data["callConnectionId"])
				}
				if call, err := e.srv.Control().CallRecording(context.Background(), st.RecordingID, 0); err != nil || call.CallConnectionID != decoded.PlatformEndpointId {
					t.Fatalf("control view %+v %v", call, err)
				}
			}
		})
	}
}

// Item 4: numeric-string codes with the recorded messages; the emulator's
// explanation only in X-Acsemu-Explanation.
func TestRecordedErrorCodes(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	stopped := e.start(t, `{`+locator+`}`)
	e.must(t, http.MethodDelete, "/calling/recordings/"+stopped+"?"+apiVersion, 204)
	unsigned := func(path string) response {
		resp, err := http.Get(e.srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return response{status: resp.StatusCode, header: resp.Header, body: strings.TrimSpace(string(b))}
	}
	cases := []struct {
		name string
		send func() response
		code int
		body string
	}{
		{"GET after stop", func() response { return e.do(t, "GET", "/calling/recordings/"+stopped+"?"+apiVersion, "", nil) },
			404, `{"error":{"code":"8522","message":"Recording not found."}}`},
		{"unknown recording", func() response { return e.do(t, "GET", "/calling/recordings/nope?"+apiVersion, "", nil) },
			404, `{"error":{"code":"8522","message":"Recording not found."}}`},
		{"bad signature", func() response { return unsigned("/calling/recordings/" + stopped + "?" + apiVersion) },
			401, `{"error":{"code":"7509","message":"HMAC-SHA256 validation failed"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.send()
			if r.status != c.code || !jsonEq(t, r.body, c.body) || r.header.Get("X-Acsemu-Explanation") == "" ||
				r.header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Fatalf("%d %s (explanation %q)", r.status, r.body, r.header.Get("X-Acsemu-Explanation"))
			}
		})
	}
}

// The settings route refuses bad input in the control shape, and a reset
// restores the settings the emulator started with.
func TestCallSettingsRoute(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctl := e.srv.Control()
	ctx := context.Background()
	cases := []struct {
		name, body string
		status     int
	}{
		{"negative delay", `{"activationDelay":"-1s"}`, 400},
		{"too long", `{"activationDelay":"25h"}`, 400},
		{"unknown field", `{"delay":"1s"}`, 400},
		{"not JSON", `2s`, 400},
		{"legacy", `{"activeOnStart":true}`, 200},
		{"ten seconds", `{"activationDelay":"10s"}`, 200},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPut, e.srv.URL()+"/_emulator/calls/settings", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json") // the control plane refuses other state-changing calls
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
	if got, err := ctl.CallSettings(ctx); err != nil || got != (api.CallSettings{ActivationDelay: api.Duration(10 * time.Second)}) {
		t.Fatalf("settings %+v %v", got, err)
	}
	if err := ctl.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := ctl.CallSettings(ctx); err != nil || got != (api.CallSettings{ActivationDelay: api.Duration(calling.DefaultActivationDelay)}) {
		t.Fatalf("after reset %+v %v", got, err)
	}
	// The control view sees the activation as soon as its time has come.
	id := e.start(t, `{`+locator+`}`)
	e.clk.Advance(calling.DefaultActivationDelay)
	if call, err := ctl.CallRecording(ctx, id, 0); err != nil || call.State != "active" || !call.StartTime.Equal(t0.Add(calling.DefaultActivationDelay)) {
		t.Fatalf("view %+v %v", call, err)
	}
}
