package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// Facts from shared/reference/acs-recorded-behaviour.md ("Storage").

// Item 5: where unmixed audio is located, the storage's headers, its 404,
// and validators only on request.
func TestStorageAnswersAsRecorded(t *testing.T) {
	for _, validators := range []bool{false, true} {
		srv := emulatortest.Start(t, emulator.Options{Seed: 3, StorageValidators: validators})
		c := signedClient(t, srv)
		unmixed := createUnmixed(t, srv).Documents[0]
		mixed, err := srv.Control().CreateRecording(context.Background(), control.RecordingSpec{
			Duration: control.Duration(5 * time.Second), Format: "mp3", NoEvent: true})
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
