package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// Facts from shared/reference/acs-recorded-behaviour.md ("Storage").

// Item 5: where unmixed audio is located, the storage's headers, its 404,
// and validators only on request.
func TestStorageAnswersAsRecorded(t *testing.T) {
	for _, validators := range []bool{false, true} {
		srv := emulatortest.Start(t, emulator.Options{Seed: 3, StorageValidators: validators})
		c := signedClient(t, srv)
		unmixed := createUnmixed(t, srv).Documents[0]
		mixed, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
			Duration: api.Duration(5 * time.Second), Format: "mp3", NoEvent: true})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(unmixed.ContentLocation, "/v1/objects/"+unmixed.ID+"/content/audiowavmultichannel") ||
			!strings.HasSuffix(mixed.Documents[0].ContentLocation, "/content/audio") {
			t.Fatalf("locations %s, %s", unmixed.ContentLocation, mixed.Documents[0].ContentLocation)
		}
		base := srv.URL() + "/v1/objects/"
		cases := []struct {
			name, method, url string
			header            http.Header
			status            int
			emptyBody         bool
			storageHeaders    bool
		}{
			{"unmixed media", "GET", unmixed.ContentLocation, nil, 200, false, true},
			{"unmixed media, ranged", "GET", unmixed.ContentLocation, http.Header{"Range": {"bytes=10-"}}, 206, false, true},
			{"mixed media", "GET", mixed.Documents[0].ContentLocation, nil, 200, false, true},
			{"metadata", "GET", unmixed.MetadataLocation, nil, 200, false, true},
			{"unmixed at /content/audio", "GET", base + unmixed.ID + "/content/audio", nil, 404, true, false},
			{"unknown document", "GET", base + "0-eus-d1-nothing/content/audio", nil, 404, true, false},
			{"unknown metadata", "GET", base + "0-eus-d1-nothing/content/acsmetadata", nil, 404, true, false},
			{"unknown delete", "DELETE", base + "0-eus-d1-nothing", nil, 404, true, false},
		}
		for _, tc := range cases {
			req, _ := http.NewRequest(tc.method, tc.url, nil)
			for k, v := range tc.header {
				req.Header[k] = v
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := resp.Body.Read(make([]byte, 1))
			resp.Body.Close()
			h := resp.Header
			switch {
			case resp.StatusCode != tc.status:
				t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.status)
			case h.Get("Cache-Control") != "no-cache, max-age=0, s-maxage=0, private":
				t.Errorf("%s: Cache-Control %q", tc.name, h.Get("Cache-Control"))
			case tc.emptyBody && (n != 0 || h.Get("Content-Length") != "0" || h.Get("X-Acsemu-Explanation") == ""):
				t.Errorf("%s: body of %d+ bytes, Content-Length %q, explanation %q", tc.name, n, h.Get("Content-Length"), h.Get("X-Acsemu-Explanation"))
			case tc.storageHeaders && h.Get("Content-Type") != "application/octet-stream":
				t.Errorf("%s: Content-Type %q", tc.name, h.Get("Content-Type"))
			case tc.storageHeaders && (h.Get("ETag") != "") != validators, tc.storageHeaders && (h.Get("Last-Modified") != "") != validators:
				t.Errorf("%s with validators=%v: ETag %q Last-Modified %q", tc.name, validators, h.Get("ETag"), h.Get("Last-Modified"))
			}
		}
	}
}

// Item 7: a percent-encoded slash is part of a document id, not a path
// separator: it names no document, answered like an unknown one.
func TestEncodedSlashIsNotAPathSeparator(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 5})
	c := signedClient(t, srv)
	doc := createUnmixed(t, srv).Documents[0]
	base := srv.URL() + "/v1/objects/"
	preview := srv.URL() + "/recording/download/"
	pv := "?api-version=" + emulator.PreviewAPIVersion
	cases := []struct {
		name, method, url string
		acsShape          bool
	}{
		{"content in the id", "GET", base + doc.ID + "%2Fcontent%2Faudiowavmultichannel", false},
		{"half encoded", "GET", base + doc.ID + "%2Fcontent/audiowavmultichannel", false},
		{"lower case", "GET", base + doc.ID + "%2fcontent%2faudiowavmultichannel", false},
		{"metadata", "GET", base + doc.ID + "%2Fcontent%2Facsmetadata", false},
		{"trailing", "GET", base + doc.ID + "%2F/content/audiowavmultichannel", false},
		{"delete", "DELETE", base + doc.ID + "%2F", false},
		{"preview metadata", "GET", preview + doc.ID + "%2Fmetadata" + pv, true},
	}
	for _, tc := range cases {
		req, err := http.NewRequest(tc.method, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := resp.Body.Read(make([]byte, 1))
		resp.Body.Close()
		if resp.StatusCode != 404 || (!tc.acsShape && (n != 0 || resp.Header.Get("Content-Length") != "0")) {
			t.Errorf("%s: %d (body %d+ bytes)", tc.name, resp.StatusCode, n)
		}
	}
	// The document is still there and whole.
	if _, body := get(t, c, doc.ContentLocation, nil); sum(body) != doc.SHA256 {
		t.Fatal("the document changed")
	}
}

// Item 6: the delivery headers of each schema, aeg-output-event-id = the
// event's id, and eventTime on the recording clock after it was advanced.
func TestEventDeliveriesAsRecorded(t *testing.T) {
	cases := []struct {
		schema                       eventgrid.Schema
		metadataVersion, dataVersion string
	}{
		{eventgrid.EventGridSchema, "1", "1.0"},
		{eventgrid.CloudEventSchema, "1.0", ""}, // the CloudEvents spec version; no data version
	}
	for _, c := range cases {
		t.Run(string(c.schema), func(t *testing.T) {
			srv := emulatortest.Start(t, emulator.Options{Seed: 21}) // on the wall clock
			ctx := context.Background()
			ctl := srv.Control()
			hook := newBothSchemasHook(t)
			if _, err := ctl.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "s", EndpointURL: hook.URL, EventDeliverySchema: c.schema}); err != nil {
				t.Fatal(err)
			}
			if _, err := ctl.AdvanceClock(ctx, 2*time.Hour); err != nil {
				t.Fatal(err)
			}
			rec, err := ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(time.Minute), Format: "mp3"})
			if err != nil {
				t.Fatal(err)
			}
			var n emulatortest.Notification
			select {
			case n = <-hook.got:
			case <-time.After(10 * time.Second):
				t.Fatal("no delivery")
			}
			var ev struct {
				ID        string    `json:"id"`
				EventTime time.Time `json:"eventTime"`
				Time      time.Time `json:"time"`
			}
			body := bytes.TrimSpace(n.Body)
			if body[0] == '[' {
				var evs []json.RawMessage
				if err := json.Unmarshal(body, &evs); err != nil || len(evs) != 1 {
					t.Fatalf("%s", body)
				}
				body = evs[0]
			}
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatal(err)
			}
			when := ev.EventTime
			if c.schema == eventgrid.CloudEventSchema {
				when = ev.Time
			}
			_, hasDataVersion := n.Header["Aeg-Data-Version"]
			if ev.ID == "" || n.Header.Get("aeg-output-event-id") != ev.ID || n.Header.Get("aeg-metadata-version") != c.metadataVersion ||
				hasDataVersion != (c.dataVersion != "") || n.Header.Get("aeg-data-version") != c.dataVersion {
				t.Fatalf("headers %v for event %s", n.Header, ev.ID)
			}
			// Event, recording and metadata times are all on the advanced clock.
			end := rec.StartTime.Add(time.Duration(rec.DurationMs) * time.Millisecond)
			if d := when.Sub(end); d < 0 || d > time.Minute || time.Until(when) < 119*time.Minute {
				t.Fatalf("event time %s, recording ends %s, wall clock %s", when, end, time.Now())
			}
		})
	}
}

// bothSchemasHook answers both validation handshakes and queues notifications.
type bothSchemasHook struct {
	*httptest.Server
	got chan emulatortest.Notification
}

func newBothSchemasHook(t *testing.T) *bothSchemasHook {
	h := &bothSchemasHook{got: make(chan emulatortest.Notification, 16)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions { // CloudEvents abuse protection
			w.Header().Set("WebHook-Allowed-Origin", r.Header.Get("WebHook-Request-Origin"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if emulatortest.AnswerValidation(w, r, body) {
			return
		}
		h.got <- emulatortest.Notification{Header: r.Header.Clone(), Body: body}
	}))
	t.Cleanup(h.Close)
	return h
}

// Item 6: ids are unique across runs by default; an explicit seed reproduces them.
func TestIDsAreUniqueAcrossRunsUnlessSeeded(t *testing.T) {
	cases := []struct {
		seed int64
		same bool
	}{{0, false}, {42, true}}
	for _, c := range cases {
		var ids [2][]string
		var seeds [2]int64
		for run := range 2 {
			srv := emulatortest.Start(t, emulator.Options{Seed: c.seed})
			rec, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{Duration: api.Duration(time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			ids[run] = []string{rec.ID, rec.Documents[0].ID, rec.CallID, rec.Participants[0]}
			seeds[run] = srv.Seed()
			if cfg, err := srv.Control().Config(context.Background()); err != nil || cfg.Seed != srv.Seed() || srv.Seed() == 0 {
				t.Fatalf("config seed %d, server seed %d (%v)", cfg.Seed, srv.Seed(), err)
			}
		}
		for i := range ids[0] {
			if (ids[0][i] == ids[1][i]) != c.same {
				t.Errorf("seed %d: ids %q and %q (seeds %d, %d)", c.seed, ids[0][i], ids[1][i], seeds[0], seeds[1])
			}
		}
	}
}

var (
	guidRE        = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	guidPattern   = regexp.MustCompile(`^` + guidRE + `$`)
	participantRE = regexp.MustCompile(`^8:acs:(` + guidRE + `)_` + guidRE + `$`)
)

// Item 8: acsmetadata media parameters, resourceId and participant ids.
func TestMetadataAsRecorded(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 8})
	c := signedClient(t, srv)
	cases := []struct {
		spec  api.RecordingSpec
		audio recordings.AudioConfiguration
		video *recordings.VideoConfiguration
	}{
		{api.RecordingSpec{Format: "mp4"}, recordings.AudioConfiguration{SampleRate: 16000, BitRate: 128000, Channels: 1},
			&recordings.VideoConfiguration{LongerSideLength: 1920, ShorterSideLength: 1080, Framerate: 8, BitRate: 1000000}},
		{api.RecordingSpec{Format: "wav"}, recordings.AudioConfiguration{SampleRate: 16000, BitRate: 256000, Channels: 1}, nil},
		{api.RecordingSpec{Format: "wav", ChannelType: "unmixed", ParticipantCount: 3},
			recordings.AudioConfiguration{SampleRate: 16000, BitRate: 768000, Channels: 3}, nil},
		{api.RecordingSpec{Format: "mp3"}, recordings.AudioConfiguration{SampleRate: 48000, BitRate: 128000, Channels: 1}, nil},
	}
	for _, tc := range cases {
		tc.spec.Duration, tc.spec.NoEvent = api.Duration(2*time.Second), true
		rec, err := srv.Control().CreateRecording(context.Background(), tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		_, body := get(t, c, rec.Documents[0].MetadataLocation, nil)
		var md recordings.Metadata
		if err := json.Unmarshal(body, &md); err != nil {
			t.Fatal(err)
		}
		ri := md.RecordingInfo
		if ri.AudioConfiguration != tc.audio || (tc.video == nil) != (ri.VideoConfiguration == nil) ||
			(tc.video != nil && *ri.VideoConfiguration != *tc.video) {
			t.Errorf("%s %s: recordingInfo %s", tc.spec.Format, tc.spec.ChannelType, body)
		}
		if !guidPattern.MatchString(md.ResourceID) || len(md.Participants) == 0 {
			t.Fatalf("resourceId %q, %d participants", md.ResourceID, len(md.Participants))
		}
		for _, p := range md.Participants {
			if m := participantRE.FindStringSubmatch(p.ParticipantID); m == nil || m[1] != md.ResourceID {
				t.Errorf("participant id %q (resource %s)", p.ParticipantID, md.ResourceID)
			}
		}
	}
}
