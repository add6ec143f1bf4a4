package calling_test

import (
	"context"
	"encoding/json"
	callclient "github.com/acsemu/acsemu/client/calling"
	"github.com/acsemu/acsemu/emulator/api"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/calling"
)

// jsHeaders are the headers @azure/communication-call-automation 1.6.0 adds
// (besides x-ms-date, x-ms-content-sha256 and Authorization, which the signer adds).
func jsHeaders(extra ...string) http.Header {
	h := http.Header{
		"Accept":                 {"application/json"},
		"User-Agent":             {"azsdk-js-communication-call-automation/1.6.0 core-rest-pipeline/1.19.0 Node/20.11.1 OS/(x64-Linux-6.8.0)"},
		"X-Ms-Client-Request-Id": {"0f8fad5b-d9cb-469f-a165-70867728950e"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

// TestReplaysTheJSSDKRequests sends start (twice, as a retry does), state,
// pause, resume and stop exactly as the JS SDK shapes them.
func TestReplaysTheJSSDKRequests(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	// The body as CallRecording.start serialises it (mapper order, identifiers
	// through communicationIdentifierModelConverter).
	start := `{"callLocator":{"serverCallId":"aHR0cHM6Ly9za3lwZS5uZXQvYXBpL3YyL2NwL2NvbnYvMVB3dkoxNzFkUj9pPTAmZT03NTc3MDg3NTc5","kind":"serverCallLocator"},` +
		`"recordingStateCallbackUri":"` + e.cb.url() + `","recordingContentType":"audio","recordingChannelType":"unmixed","recordingFormatType":"wav",` +
		`"audioChannelParticipantOrdering":[{"kind":"communicationUser","rawId":"8:acs:res_0001","communicationUser":{"id":"8:acs:res_0001"}},` +
		`{"kind":"phoneNumber","rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123"}}],` +
		`"channelAffinity":[{"participant":{"kind":"phoneNumber","rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123"}},"channel":0}],` +
		`"pauseOnStart":false,"externalStorage":{"recordingStorageKind":"azureBlobStorage","recordingDestinationContainerUrl":"https://contoso.blob.core.windows.net/recordings"}}`
	h := jsHeaders("Content-Type", "application/json",
		"Repeatability-Request-ID", "3b5d2f1e-8c4a-4e7b-9f6d-1a2b3c4d5e6f",
		"Repeatability-First-Sent", t0.Format(http.TimeFormat))
	first := e.do(t, http.MethodPost, "/calling/recordings?"+apiVersion, start, h)
	if first.status != http.StatusOK || first.header.Get("Repeatability-Result") != "accepted" {
		t.Fatalf("start: %d %s", first.status, first.body)
	}
	var st api.RecordingStateResponse
	if err := json.Unmarshal([]byte(first.body), &st); err != nil || st.RecordingState != "inactive" || st.RecordingKind != "azureCommunicationServices" {
		t.Fatalf("start body %s", first.body)
	}
	e.clk.Advance(time.Second)
	// core-rest-pipeline retries with the same headers: the first answer comes back, nothing new starts.
	if again := e.do(t, http.MethodPost, "/calling/recordings?"+apiVersion, start, h); again.status != 200 || again.body != first.body {
		t.Fatalf("repeated start: %d %s, want %s", again.status, again.body, first.body)
	}
	// The SDK encodes the id with encodeURIComponent.
	base := "/calling/recordings/" + url.PathEscape(st.RecordingID)
	if r := e.do(t, http.MethodGet, base+"?"+apiVersion, "", jsHeaders()); r.status != 200 || r.body != first.body {
		t.Fatalf("getState: %d %s", r.status, r.body)
	}
	for _, step := range []struct{ method, suffix string }{{"POST", ":pause"}, {"POST", ":resume"}, {"DELETE", ""}} {
		e.clk.Advance(time.Minute)
		want := map[string]int{":pause": 202, ":resume": 202, "": 204}[step.suffix]
		if r := e.do(t, step.method, base+step.suffix+"?"+apiVersion, "", jsHeaders()); r.status != want || r.body != "" {
			t.Fatalf("%s %s: %d %s", step.method, step.suffix, r.status, r.body)
		}
	}
	// inactive at start, active once media flows (2 s after start), then pause, resume, stop.
	e.cb.expectStates(t, st.RecordingID, "inactive", "active", "inactive", "active", "inactive")
	calls, err := e.srv.Control().CallRecordings(context.Background())
	if err != nil || len(calls) != 1 {
		t.Fatalf("%d recordings started (want 1): %v", len(calls), err)
	}
	if got := strings.Join(calls[0].Participants, ","); got != "4:+14255550123,8:acs:res_0001" || calls[0].ExternalStorageKind != "azureBlobStorage" {
		t.Fatalf("participants %s, storage %q", got, calls[0].ExternalStorageKind)
	}
	if rec, ok := e.srv.Recordings().Recording(st.RecordingID); !ok || rec.Duration != 2*time.Minute-time.Second {
		t.Fatalf("recording %v %+v", ok, rec)
	}
	// The same Repeatability-Request-ID for another request is a conflict.
	other := strings.Replace(start, `"pauseOnStart":false`, `"pauseOnStart":true`, 1)
	if r := e.do(t, http.MethodPost, "/calling/recordings?"+apiVersion, other, h); r.status != 409 ||
		!jsonEq(t, r.body, `{"error":{"code":"Conflict","message":"The Repeatability-Request-ID was already used for a different request.","target":"Repeatability-Request-ID"}}`) {
		t.Fatalf("reused id: %d %s", r.status, r.body)
	}
}

func TestEveryDocumentedAPIVersionIsAccepted(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	id := e.start(t, `{`+locator+`}`)
	for _, v := range append([]string{"2026-03-12", "2025-06-15", "2024-09-15", "2023-10-15", "2023-10-03-preview"}, calling.APIVersions...) {
		if r := e.do(t, http.MethodGet, "/calling/recordings/"+id+"?api-version="+v, "", nil); r.status != 200 {
			t.Fatalf("api-version %s: %d %s", v, r.status, r.body)
		}
	}
}

func TestClientDrivesTheAPI(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	c := &callclient.Client{Endpoint: e.srv.URL(), HTTP: e.hc}
	ctx := context.Background()
	st, err := c.Start(ctx, api.StartRecordingRequest{CallConnectionID: "conn-1", RecordingFormatType: "mp4"})
	if err != nil || st.RecordingState != "inactive" {
		t.Fatalf("%+v %v", st, err)
	}
	e.clk.Advance(time.Minute)
	if err := c.Pause(ctx, st.RecordingID); err != nil {
		t.Fatal(err)
	}
	err = c.Pause(ctx, st.RecordingID)
	if ae, ok := err.(*callclient.APIError); !ok || ae.StatusCode != 400 || ae.Target != "recordingId" {
		t.Fatalf("second pause: %v", err)
	}
	if err := c.Resume(ctx, st.RecordingID); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx, st.RecordingID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.State(ctx, st.RecordingID); err == nil {
		t.Fatal("state of a stopped recording")
	}
	rec, ok := e.srv.Recordings().Recording(st.RecordingID)
	if !ok || rec.Spec.ContentType != "audioVideo" || rec.Spec.Duration != time.Minute-calling.DefaultActivationDelay || len(rec.Spec.Pauses) != 0 {
		t.Fatalf("recording %v %+v", ok, rec)
	}
}
