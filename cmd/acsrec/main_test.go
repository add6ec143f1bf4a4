package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
)

// TestMain doubles as the acsrec binary for the crash test (ACSREC_BE_MAIN=1).
func TestMain(m *testing.M) {
	if os.Getenv("ACSREC_BE_MAIN") == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

func recording(t *testing.T, srv *emulator.Server, chunks int, chunk int64) api.Recording {
	t.Helper()
	dur := time.Duration((2*int64(chunks)-1)*chunk*1000/64_000) * time.Millisecond
	rec, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(dur), ChunkSizeLimit: chunk, NoEvent: true})
	if err == nil {
		rec, err = srv.Control().WaitHashes(context.Background(), rec.ID) // creating hashes nothing
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Documents) != chunks {
		t.Fatalf("%d chunks", len(rec.Documents))
	}
	return rec
}

// eventData is the RecordingFileStatusUpdated data of rec.
func eventData(rec api.Recording) json.RawMessage {
	type chunk struct {
		DocumentID       string `json:"documentId"`
		Index            int    `json:"index"`
		EndReason        string `json:"endReason"`
		ContentLocation  string `json:"contentLocation"`
		MetadataLocation string `json:"metadataLocation"`
		DeleteLocation   string `json:"deleteLocation"`
	}
	var cs []chunk
	for _, d := range rec.Documents {
		cs = append(cs, chunk{d.ID, d.Index, d.EndReason, d.ContentLocation, d.MetadataLocation, d.DeleteLocation})
	}
	b, _ := json.Marshal(map[string]any{
		"recordingStorageInfo": map[string]any{"recordingChunks": cs},
		"recordingStartTime":   rec.StartTime, "recordingDurationMs": rec.DurationMs, "sessionEndReason": "CallEnded",
		"recordingContentType": "Audio", "recordingChannelType": "Mixed", "recordingFormatType": "Wav",
	})
	return b
}

func checkFiles(t *testing.T, dir string, docs ...api.Document) {
	t.Helper()
	for _, d := range docs {
		for name, want := range map[string]string{d.ID + ".wav": d.SHA256, d.ID + ".metadata.json": d.MetadataSHA256} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Error(err)
				continue
			}
			if s := sha256.Sum256(b); hex.EncodeToString(s[:]) != want {
				t.Errorf("%s: SHA-256 differs from the control plane's", name)
			}
		}
	}
}

func TestSignAgainstTheEmulator(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 3})
	doc := recording(t, srv, 1, 50_000).Documents[0]
	env := envOf("ACSREC_CONNECTION_STRING", srv.ConnectionString())
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"sign", "--send", doc.PreviewContentURL}, env, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"x-ms-date: ", "Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=",
		`GET\n/recording/download/` + doc.ID + `?api-version=2021-04-15-preview1\n`, "sent: 200 OK"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// A wrong key: the emulator's explanation is printed next to our string-to-sign.
	out.Reset()
	wrong := envOf("ACSREC_CONNECTION_STRING", "endpoint="+srv.URL()+"/;accesskey=d3Jvbmcga2V5IGVudGlyZWx5")
	if code := run(context.Background(), []string{"sign", "--send", doc.ContentLocation}, wrong, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "sent: 401") || !strings.Contains(out.String(), "X-Acsemu-Explanation: ") {
		t.Errorf("output:\n%s", out.String())
	}
	// Another host is refused before anything is signed.
	if code := run(context.Background(), []string{"sign", "https://evil.example/x"}, env, io.Discard, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "refusing to sign") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

func TestDownloadCommand(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 4})
	rec := recording(t, srv, 2, 60_000)
	out := t.TempDir()
	env := envOf("ACSREC_CONNECTION_STRING", srv.ConnectionString(), "ACSREC_OUT", out, "ACSREC_PROGRESS", "off")
	var stdout, stderr bytes.Buffer
	// One by id (the 2021 preview API), one by content location.
	args := []string{"download", rec.Documents[0].ID, rec.Documents[1].ContentLocation}
	if code := run(context.Background(), args, env, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// The preview API does not say the format: the Content-Type does.
	checkFiles(t, out, rec.Documents...)
	if n := strings.Count(stdout.String(), "\n"); n != 4 {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	preview := journal.Filter{Plane: journal.PlaneData, PathPrefix: "/recording/download/"}
	emulatortest.AwaitRequests(t, srv, preview, 2) // journaled when each answer ends
	n, _ := srv.Control().CountRequests(context.Background(), preview)
	if n != 2 {
		t.Errorf("%d preview API requests, want 2", n)
	}
	// Refused ids exit 1 without a request.
	if code := run(context.Background(), []string{"download", "../../x"}, env, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d", code)
	}
}
