package acsemu_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/emulator/acsemu"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// flowTimeout bounds one container test end to end.
const flowTimeout = 3 * time.Minute

// run starts the image with opts and terminates it when the test ends.
func run(t *testing.T, ctx context.Context, opts ...testcontainers.ContainerCustomizer) *acsemu.Container {
	t.Helper()
	ctr, err := acsemu.Run(ctx, testImage(t), opts...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	return ctr
}

// chanSink is the reference webhook's queue, as a channel the test reads.
type chanSink chan jobs.Job

func (s chanSink) Add(js ...jobs.Job) ([]jobs.Job, error) {
	for _, j := range js {
		select {
		case s <- j:
		default:
			return nil, errors.New("test sink full")
		}
	}
	return js, nil
}

// The acceptance path of a team using the module: start the container, create
// a recording through Control, receive RecordingFileStatusUpdated on a webhook
// on the host, and download every chunk with the reference client with the
// SHA-256 the control plane reports.
func TestRecordingFlowThroughTheContainer(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), flowTimeout)
	defer cancel()
	ctr := run(t, ctx, acsemu.WithHostNetwork(), acsemu.WithSeed(3), acsemu.WithEventTimeScale(0.01))
	ctl, err := ctr.Control(ctx)
	if err != nil {
		t.Fatal(err)
	}
	connStr, err := ctr.ConnectionString(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := signer.ParseConnectionString(connStr)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dl, err := download.New(cs, download.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()

	sink := make(chanSink, 16)
	eventTypes := make(chan string, 16)
	hook := webhook.New(sink, webhook.Options{Check: dl.Check})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, webhook.DefaultMaxBody))
		var events []struct {
			EventType string `json:"eventType"`
		}
		if r.Header.Get("aeg-event-type") == "Notification" && json.Unmarshal(body, &events) == nil {
			for _, e := range events {
				eventTypes <- e.EventType
			}
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		hook.ServeHTTP(w, r)
	}))
	defer hs.Close()

	sub, err := ctl.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "recordings", EndpointURL: hs.URL + "/api/events"})
	if err != nil {
		t.Fatal(err)
	}
	if sub.ProvisioningState != eventgrid.StateSucceeded {
		t.Fatalf("the host webhook did not validate the subscription: %+v", sub)
	}
	rec, err := ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(6 * time.Second), ChunkSizeLimit: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Documents) < 2 {
		t.Fatalf("want a recording of several chunks, got %d", len(rec.Documents))
	}
	select {
	case et := <-eventTypes:
		if et != recordings.EventType {
			t.Fatalf("the webhook received %q, want %q", et, recordings.EventType)
		}
	case <-ctx.Done():
		t.Fatal("no event reached the host webhook")
	}
	byID := map[string]api.Document{}
	for _, d := range rec.Documents {
		byID[d.ID] = d
	}
	for range rec.Documents {
		var j jobs.Job
		select {
		case j = <-sink:
		case <-ctx.Done():
			t.Fatal("the webhook did not queue every chunk")
		}
		want, ok := byID[j.DocumentID]
		if !ok {
			t.Fatalf("the webhook queued unknown document %q", j.DocumentID)
		}
		res, err := dl.Document(ctx, j)
		if err != nil {
			t.Fatal(err)
		}
		if got := fileSHA(t, filepath.Join(dir, res.Files[0].Name)); got != want.SHA256 {
			t.Fatalf("chunk %d: downloaded SHA-256 %s, the control plane reports %s", want.Index, got, want.SHA256)
		}
		if got := fileSHA(t, filepath.Join(dir, res.Files[1].Name)); got != want.MetadataSHA256 {
			t.Fatalf("chunk %d metadata: SHA-256 %s, the control plane reports %s", want.Index, got, want.MetadataSHA256)
		}
		delete(byID, j.DocumentID)
	}
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Every option reaches the emulator in the container.
func TestOptionsConfigureTheEmulator(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), flowTimeout)
	defer cancel()
	rules := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(rules, []byte(`[{"id":"unavailable","action":{"type":"status","status":503}}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	key := []byte("a key that is not the dev key....")
	ctr := run(t, ctx, acsemu.WithHostNetwork(), acsemu.WithSeed(42), acsemu.WithStrictAuth(), acsemu.WithEventTimeScale(0.5),
		acsemu.WithAccessKey(key), acsemu.WithFaultRulesFile(rules), acsemu.WithStorageURL("http://storage.example:1234"))
	ctl, err := ctr.Control(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ctl.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := ctr.URL(ctx)
	if cfg.Seed != 42 || !cfg.StrictAuth || cfg.EventTimeScale != 0.5 || cfg.URL != u || cfg.StorageBaseURL != "http://storage.example:1234" {
		t.Fatalf("config %+v (URL %s)", cfg, u)
	}
	fs, err := ctl.Faults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule.ID != "unavailable" {
		t.Fatalf("fault rules from the file: %+v", fs)
	}
	cs, _ := ctr.ConnectionString(ctx)
	if want := "endpoint=" + u + "/;accesskey=" + base64.StdEncoding.EncodeToString(key); cs != want || !cfg.CustomAccessKey {
		t.Fatalf("connection string %q, want %q (custom key %v)", cs, want, cfg.CustomAccessKey)
	}
	// The emulator checks signatures with the key given: a download signed
	// with the connection string is served.
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	rec, err := ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := signer.ParseConnectionString(cs)
	if err != nil {
		t.Fatal(err)
	}
	// The locations name the storage URL given; the emulator itself serves them.
	loc := strings.Replace(rec.Documents[0].ContentLocation, "http://storage.example:1234", u, 1)
	resp, err := signer.New(parsed).Client().Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a download signed with the custom key: %s", resp.Status)
	}
}

// TLS: the control client trusts the container's CA and only it.
func TestTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), flowTimeout)
	defer cancel()
	ctr := run(t, ctx, acsemu.WithHostNetwork(), acsemu.WithTLS("us-storage.asm.skype.com"))
	u, _ := ctr.URL(ctx)
	if !strings.HasPrefix(u, "https://127.0.0.1:") {
		t.Fatalf("URL %q", u)
	}
	ctl, err := ctr.Control(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(u + "/_emulator/health"); err == nil {
		t.Fatal("a client that does not trust the emulator's CA connected")
	}
}

// A container that exits before listening fails Run at once, with its output.
func TestRunReportsAnEmulatorThatExits(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), flowTimeout)
	defer cancel()
	ctr, err := acsemu.Run(ctx, testImage(t), acsemu.WithHostNetwork(), testcontainers.WithCmdArgs("--no-such-flag"))
	testcontainers.CleanupContainer(t, ctr)
	if err == nil || !strings.Contains(err.Error(), "exited") || !strings.Contains(err.Error(), "no-such-flag") {
		t.Fatalf("Run: %v", err)
	}
}
