package emulator_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// A user replays a real file: upload its bytes for a document, then download
// them signed, resumed, with an ETag that changes when the bytes do.
func TestUploadedBytesAreServedLikeARecording(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	ctl := srv.Control()
	data := bytes.Repeat([]byte("my real recording "), 1000)
	d, err := ctl.UploadDocument(t.Context(), "replay-1", data, "audio/mpeg", "audio")
	if err != nil {
		t.Fatal(err)
	}
	if d.Size != int64(len(data)) || d.SHA256 != sum(data) || d.MIMEType != "audio/mpeg" {
		t.Fatalf("document %+v", d)
	}
	c := signedClient(t, srv)
	resp, body := get(t, c, d.ContentLocation, http.Header{"Range": {"bytes=100-"}})
	if resp.StatusCode != 206 || !bytes.Equal(body, data[100:]) || resp.Header.Get("Content-Type") != "application/octet-stream" { // the storage's, as recorded
		t.Fatalf("download: %d, %d bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
	again, err := ctl.UploadDocument(t.Context(), "replay-1", data[:10], "", "")
	if err != nil {
		t.Fatal(err)
	}
	if again.ETag == d.ETag || again.Size != 10 {
		t.Fatalf("a new upload must change the ETag and size: %+v", again)
	}
	resp, body = get(t, c, d.ContentLocation, http.Header{"Range": {"bytes=5-"}, "If-Range": {d.ETag}})
	if resp.StatusCode != 200 || !bytes.Equal(body, data[:10]) {
		t.Fatalf("a resume against the old ETag must get the whole new file: %d %q", resp.StatusCode, body)
	}
	if _, err := ctl.UploadDocument(t.Context(), "../escape", data, "", ""); err == nil {
		t.Fatal("an id with a path in it was accepted")
	}
}
