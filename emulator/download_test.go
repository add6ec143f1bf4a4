package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/wire"
)

// signedClient returns an HTTP client signing for srv, optionally with the seed's Date header.
func signedClient(t *testing.T, srv *emulator.Server, opts ...signer.Option) *http.Client {
	t.Helper()
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	return signer.New(cs, opts...).Client()
}

func get(t *testing.T, c *http.Client, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func createUnmixed(t *testing.T, srv *emulator.Server) api.Recording {
	t.Helper()
	rec, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(90 * time.Second), ChannelType: "unmixed", ParticipantCount: 3,
		ChunkSizeLimit: 3_000_000, NoEvent: true,
	})
	if err == nil {
		rec, err = srv.Control().WaitHashes(context.Background(), rec.ID) // creating hashes nothing
	}
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestDownloadsEveryChunkThroughBothAPIsWithBothSigningVariants(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 42})
	rec := createUnmixed(t, srv)
	if len(rec.Documents) != 3 {
		t.Fatalf("want 3 chunks, got %d", len(rec.Documents))
	}
	wantEnd := []string{"ChunkMaximumSizeExceeded", "ChunkMaximumSizeExceeded", "SessionEnded"}
	variants := map[string]*http.Client{
		"documented x-ms-date": signedClient(t, srv),
		"seed Date header":     signedClient(t, srv, signer.WithDateHeader()),
	}
	var total time.Duration
	for i, d := range rec.Documents {
		if d.EndReason != wantEnd[i] || d.Index != i {
			t.Errorf("chunk %d: index %d endReason %s", i, d.Index, d.EndReason)
		}
		if d.Size > 3_000_000 || d.MIMEType == "" || d.SHA256 == "" {
			t.Errorf("chunk %d: size %d mime %q sha %q", i, d.Size, d.MIMEType, d.SHA256)
		}
		total += time.Duration(d.DurationMs) * time.Millisecond
		for name, c := range variants {
			for _, url := range []string{d.ContentLocation, d.PreviewContentURL} {
				resp, body := get(t, c, url, nil)
				if resp.StatusCode != http.StatusOK || sum(body) != d.SHA256 || int64(len(body)) != d.Size {
					t.Fatalf("%s %s: status %d, %d bytes, sha %s want %s", name, url, resp.StatusCode, len(body), sum(body), d.SHA256)
				}
			}
			for _, url := range []string{d.MetadataLocation, d.PreviewMetadataURL} {
				resp, body := get(t, c, url, nil)
				if resp.StatusCode != http.StatusOK || sum(body) != d.MetadataSHA256 {
					t.Fatalf("%s %s: status %d sha mismatch", name, url, resp.StatusCode)
				}
				var md recordings.Metadata
				if err := json.Unmarshal(body, &md); err != nil {
					t.Fatal(err)
				}
				if md.ChunkDocumentID != d.ID || md.ChunkIndex != i || md.RecordingInfo.AudioConfiguration.Channels != 3 || len(md.Participants) != 3 {
					t.Fatalf("metadata %+v", md)
				}
				for ch, p := range md.Participants {
					if p.Channel == nil || *p.Channel != ch {
						t.Fatalf("participant %d channel %v", ch, p.Channel)
					}
				}
			}
		}
	}
	if rec.DurationMs != 90_000 || total < 90*time.Second-3*time.Millisecond || total > 90*time.Second {
		t.Errorf("recording lasts %d ms and its chunks add up to %s, want 90s", rec.DurationMs, total)
	}
	ctx := context.Background()
	// Entries land when each answer ends, possibly after its body was read.
	emulatortest.AwaitRequests(t, srv, journal.Filter{Plane: journal.PlaneData}, 3*2*4)
	n, err := srv.Control().CountRequests(ctx, api.RequestFilter{Plane: journal.PlaneData, AuthOK: "true"})
	if err != nil || n != 3*2*4 {
		t.Fatalf("journal counts %d signed requests (err %v), want 24", n, err)
	}
	dateVariant, err := srv.Control().Requests(ctx, api.RequestFilter{Plane: journal.PlaneData, Limit: 1})
	if err != nil || len(dateVariant) != 1 || dateVariant[0].Auth == nil || dateVariant[0].Auth.Variant == "" {
		t.Fatalf("journal entry lacks the auth variant: %+v %v", dateVariant, err)
	}
}

func TestRejectedSignaturesKeepTheRealBodyAndExplainWhy(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	rec := createUnmixed(t, srv)
	d := rec.Documents[0]
	wrongKey := signer.New(signer.ConnectionString{Endpoint: mustURL(t, srv.URL()), AccessKey: []byte("another key entirely")}).Client()

	resp, body := get(t, wrongKey, d.ContentLocation, nil)
	if resp.StatusCode != 401 || !strings.Contains(string(body), `"title":"Unauthorized"`) || strings.Contains(string(body), "7509") {
		t.Fatalf("storage path: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get(wire.ExplanationHeader) == "" {
		t.Fatal("no explanation header")
	}
	resp, body = get(t, wrongKey, d.PreviewContentURL, nil)
	if resp.StatusCode != 401 || strings.TrimSpace(string(body)) != `{"error":{"code":"7509","message":"HMAC-SHA256 validation failed"}}` {
		t.Fatalf("preview path: %d %s", resp.StatusCode, body)
	}
	resp, _ = get(t, http.DefaultClient, d.ContentLocation, nil)
	if resp.StatusCode != 401 || !strings.Contains(strings.ToLower(resp.Header.Get(wire.ExplanationHeader)), "authorization") {
		t.Fatalf("unsigned request: %d, explanation %q", resp.StatusCode, resp.Header.Get(wire.ExplanationHeader))
	}
	emulatortest.AwaitRequests(t, srv, journal.Filter{AuthOK: "false", Plane: journal.PlaneData}, 3)
	failed, err := srv.Control().Requests(context.Background(), api.RequestFilter{AuthOK: "false", Plane: journal.PlaneData})
	if err != nil || len(failed) != 3 || failed[0].Auth.Explanation == "" {
		t.Fatalf("journal of failures: %+v %v", failed, err)
	}
}

func TestPreviewAPIVersionAndUnknownDocuments(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	rec := createUnmixed(t, srv)
	c := signedClient(t, srv)
	base := srv.URL() + "/recording/download/" + rec.Documents[0].ID
	cases := []struct {
		url, wantCode string
		status        int
	}{
		{base, "MissingApiVersionParameter", 400},
		{base + "?api-version=2099-01-01", "UnsupportedApiVersion", 400},
		{srv.URL() + "/recording/download/nope?api-version=" + emulator.PreviewAPIVersion, "NotFound", 404},
	}
	for _, tc := range cases {
		resp, body := get(t, c, tc.url, nil)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), `"code":"`+tc.wantCode+`"`) {
			t.Errorf("%s: %d %s", tc.url, resp.StatusCode, body)
		}
	}
	resp, body := get(t, c, srv.URL()+"/v1/objects/nope/content/audio", nil)
	if resp.StatusCode != 404 || len(body) != 0 || resp.Header.Get("X-Acsemu-Explanation") == "" { // empty, as recorded
		t.Errorf("storage 404: %d %s", resp.StatusCode, body)
	}
	resp, _ = get(t, c, strings.Replace(rec.Documents[0].ContentLocation, "/audio", "/video", 1), nil)
	if resp.StatusCode != 404 {
		t.Errorf("video path of an audio recording: %d", resp.StatusCode)
	}
}

func TestDeleteAnswers200AndTheDocumentIsGone(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	rec := createUnmixed(t, srv)
	d := rec.Documents[1]
	c := signedClient(t, srv)
	req, _ := http.NewRequest(http.MethodDelete, d.DeleteLocation, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delete answered %d, the JS SDK accepts only 200", resp.StatusCode)
	}
	for _, u := range []string{d.ContentLocation, d.MetadataLocation} {
		if resp, _ := get(t, c, u, nil); resp.StatusCode != 404 {
			t.Errorf("%s after delete: %d", u, resp.StatusCode)
		}
	}
	req, _ = http.NewRequest(http.MethodDelete, d.DeleteLocation, nil)
	if resp, err = c.Do(req); err != nil || resp.StatusCode != 404 {
		t.Fatalf("second delete: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}
