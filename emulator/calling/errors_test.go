package calling_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/calling"
)

const locator = `"callLocator":{"serverCallId":"abc","kind":"serverCallLocator"}`

// TestMisuseAnswersTheServiceErrorShape checks status and body of every misuse.
func TestMisuseAnswersTheServiceErrorShape(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	active := e.start(t, `{`+locator+`}`)
	paused := e.start(t, `{`+locator+`}`)
	e.must(t, http.MethodPost, "/calling/recordings/"+paused+":pause?"+apiVersion, http.StatusAccepted)
	stopped := e.start(t, `{`+locator+`}`)
	e.must(t, http.MethodDelete, "/calling/recordings/"+stopped+"?"+apiVersion, http.StatusNoContent)
	e.clk.Advance(calling.DefaultActivationDelay) // media flows: "active" is active

	notFound := `{"error":{"code":"8522","message":"Recording not found."}}` // recorded
	bad := func(target, msg string) string {
		return `{"error":{"code":"BadRequest","message":` + quote(msg) + `,"target":"` + target + `"}}`
	}
	cases := []struct {
		name, method, path, body string
		header                   http.Header
		status                   int
		want                     string
	}{
		{"unknown id: state", "GET", "/calling/recordings/nope?" + apiVersion, "", nil, 404, notFound},
		{"unknown id: pause", "POST", "/calling/recordings/nope:pause?" + apiVersion, "", nil, 404, notFound},
		{"unknown id: resume", "POST", "/calling/recordings/nope:resume?" + apiVersion, "", nil, 404, notFound},
		{"unknown id: stop", "DELETE", "/calling/recordings/nope?" + apiVersion, "", nil, 404, notFound},
		{"pause when paused", "POST", "/calling/recordings/" + paused + ":pause?" + apiVersion, "", nil, 400, bad("recordingId", "Recording is already paused.")},
		{"resume when active", "POST", "/calling/recordings/" + active + ":resume?" + apiVersion, "", nil, 400, bad("recordingId", "Recording is already active.")},
		{"stop twice", "DELETE", "/calling/recordings/" + stopped + "?" + apiVersion, "", nil, 404, notFound},
		{"pause after stop", "POST", "/calling/recordings/" + stopped + ":pause?" + apiVersion, "", nil, 404, notFound},
		{"state after stop", "GET", "/calling/recordings/" + stopped + "?" + apiVersion, "", nil, 404, notFound},
		{"bad format", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"recordingFormatType":"ogg"}`, nil, 400,
			bad("recordingFormatType", "'ogg' is not a valid value for recordingFormatType; use wav, mp3, mp4.")},
		{"bad content", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"recordingContentType":"video"}`, nil, 400,
			bad("recordingContentType", "'video' is not a valid value for recordingContentType; use audio, audioVideo.")},
		{"bad channel", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"recordingChannelType":"stereo"}`, nil, 400,
			bad("recordingChannelType", "'stereo' is not a valid value for recordingChannelType; use mixed, unmixed.")},
		{"bad locator kind", "POST", "/calling/recordings?" + apiVersion, `{"callLocator":{"serverCallId":"a","kind":"phoneCallLocator"}}`, nil, 400,
			bad("callLocator.kind", "'phoneCallLocator' is not a valid value for callLocator.kind; use serverCallLocator, groupCallLocator, roomCallLocator.")},
		{"bad storage kind", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"externalStorage":{"recordingStorageKind":"s3"}}`, nil, 400,
			bad("externalStorage.recordingStorageKind", "'s3' is not a valid value for externalStorage.recordingStorageKind; use azureCommunicationServices, azureBlobStorage.")},
		{"missing call locator", "POST", "/calling/recordings?" + apiVersion, `{"recordingFormatType":"mp4"}`, nil, 400,
			bad("callLocator", "Either callLocator or callConnectionId is required.")},
		{"locator and connection", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"callConnectionId":"cc"}`, nil, 400,
			bad("callLocator", "Give either callLocator or callConnectionId, not both.")},
		{"locator without its id", "POST", "/calling/recordings?" + apiVersion, `{"callLocator":{"groupCallId":"g","kind":"serverCallLocator"}}`, nil, 400,
			bad("callLocator.serverCallId", "callLocator.serverCallId is required for a serverCallLocator.")},
		{"empty body", "POST", "/calling/recordings?" + apiVersion, "", nil, 400,
			bad("startCallRecording", "A non-empty request body is required.")},
		{"wrong JSON type", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"pauseOnStart":"yes"}`, nil, 400,
			bad("pauseOnStart", "The JSON value of pauseOnStart could not be converted to bool.")},
		{"unmixed mp3", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"recordingChannelType":"unmixed","recordingFormatType":"mp3"}`, nil, 400,
			bad("recordingChannelType", "unmixed recordings are audio in wav, not audio mp3.")},
		{"audioVideo wav", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"recordingContentType":"audioVideo","recordingFormatType":"wav"}`, nil, 400,
			bad("recordingFormatType", "audioVideo recordings are mp4; wav is not supported with recordingContentType audioVideo.")},
		{"relative callback", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"recordingStateCallbackUri":"/cb"}`, nil, 400,
			bad("recordingStateCallbackUri", `recordingStateCallbackUri must be an absolute http or https URL of at most 2048 characters, got "/cb".`)},
		{"channel out of range", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"channelAffinity":[{"channel":7,"participant":{"rawId":"8:acs:x"}}]}`, nil, 400,
			bad("channelAffinity[0].channel", "channelAffinity[0].channel must be between 0 and 4, got 7.")},
		{"first-sent missing", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `}`,
			http.Header{"Repeatability-Request-Id": {"6f1c5e3a-1d2b-4c3d-8e4f-5a6b7c8d9e0f"}}, 400,
			bad("Repeatability-First-Sent", "Repeatability-First-Sent is required when Repeatability-Request-ID is given.")},
		{"request id not a UUID", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `}`,
			http.Header{"Repeatability-Request-Id": {"42"}, "Repeatability-First-Sent": {"Sat, 01 Mar 2025 09:00:00 GMT"}}, 400,
			bad("Repeatability-Request-ID", `Repeatability-Request-ID must be a UUID, got "42".`)},
		{"missing api-version", "GET", "/calling/recordings/" + active, "", nil, 400,
			`{"error":{"code":"MissingApiVersionParameter","message":"The api-version query parameter (?api-version=) is required for all requests."}}`},
		{"unknown api-version", "GET", "/calling/recordings/" + active + "?api-version=2021-01-01", "", nil, 400,
			`{"error":{"code":"UnsupportedApiVersion","message":"The HTTP resource that matches the request URI '/calling/recordings/` + active + `' does not support the API version '2021-01-01'."}}`},
		{"wrong method", "PUT", "/calling/recordings/" + active + "?" + apiVersion, "", nil, 405,
			`{"error":{"code":"MethodNotAllowed","message":"The HTTP method is not supported for this resource."}}`},
		{"unknown path", "GET", "/calling/recordings/a/b?" + apiVersion, "", nil, 404,
			`{"error":{"code":"NotFound","message":"The requested resource was not found."}}`},
		{"body too large", "POST", "/calling/recordings?" + apiVersion, `{` + locator + `,"x":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413,
			`{"error":{"code":"RequestEntityTooLarge","message":"The request body is too large."}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.method, c.path, c.body, c.header)
			if r.status != c.status || !jsonEq(t, r.body, c.want) {
				t.Fatalf("got %d %s\nwant %d %s", r.status, r.body, c.status, c.want)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	if r := e.do(t, "PUT", "/calling/recordings/"+active+"?"+apiVersion, "", nil); r.header.Get("Allow") != "GET, DELETE" {
		t.Fatalf("Allow %q", r.header.Get("Allow"))
	}
	// The signature is checked before anything else.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL()+"/calling/recordings/nope", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned request: %d", resp.StatusCode)
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
