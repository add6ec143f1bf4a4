package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
	"github.com/acsemu/acsemu/emulator/journal"
)

// startServe runs serve in the test's process until the test ends.
func startServe(t *testing.T, args ...string) (addr string, env func(string) string) {
	t.Helper()
	return startServeLogging(t, io.Discard, args...), nil
}

// startServeLogging is startServe with serve's stderr going to stderr.
func startServeLogging(t *testing.T, stderr io.Writer, args ...string) (addr string) {
	t.Helper()
	cfg, err := Load(append([]string{"serve", "--listen", "127.0.0.1:0", "--progress", "off"}, args...), os.Getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, stderr, func(a string) { listening <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr = <-listening:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	return addr
}

// waitFor polls cond on a ticker until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func health(t *testing.T, addr string) map[jobs.State]int {
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct{ Jobs map[jobs.State]int }
	json.NewDecoder(resp.Body).Decode(&h)
	return h.Jobs
}

// Event Grid (acsemu's engine) validates acsrec serve in both schemas and
// delivers one recording's event through both subscriptions: every chunk is
// downloaded once.
func TestServeEndToEnd(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Seed: 5})
	rec := recording(t, srv, 3, 80_000)
	out := t.TempDir()
	t.Setenv("ACSREC_CONNECTION_STRING", srv.ConnectionString())
	addr, _ := startServe(t, "--out", out, "--secret", "s3cret", "--parallel", "2")
	defer http.DefaultClient.CloseIdleConnections()

	eg, err := eventgrid.New(eventgrid.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eg.Close()
	ctx := context.Background()
	for _, spec := range []eventgrid.SubscriptionSpec{
		{Name: "eg-schema", EndpointURL: "http://" + addr + "/api/events?code=s3cret"},
		{Name: "cloudevents-batch", EndpointURL: "http://" + addr + "/api/events?code=s3cret", EventDeliverySchema: filter.CloudEventSchema, MaxEventsPerBatch: 10},
	} {
		sub, err := eg.CreateSubscription(ctx, spec)
		if err != nil || sub.ProvisioningState != eventgrid.StateSucceeded {
			t.Fatalf("%s: %v %s %s", spec.Name, err, sub.ProvisioningState, sub.FailureReason)
		}
	}
	bad, _ := eg.CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "no-secret", EndpointURL: "http://" + addr + "/api/events"})
	if bad.ProvisioningState != eventgrid.StateFailed {
		t.Errorf("a subscription without the secret was %s", bad.ProvisioningState)
	}
	// Forged chunks (another host, a path-escaping id) are refused by the
	// webhook: never queued, never requested.
	forged := api.Recording{Documents: []api.Document{
		{ID: "evil-1", ContentLocation: "https://attacker.example/v1/objects/evil-1/content/audio", MetadataLocation: "https://attacker.example/m"},
		{ID: "../../x", ContentLocation: rec.Documents[0].ContentLocation, MetadataLocation: rec.Documents[0].MetadataLocation},
	}}
	if err := eg.Publish(ctx, eventgrid.Event{Subject: rec.Subject, EventType: "Microsoft.Communication.RecordingFileStatusUpdated", Data: eventData(forged)}); err != nil {
		t.Fatal(err)
	}
	ev := eventgrid.Event{Subject: rec.Subject, EventType: "Microsoft.Communication.RecordingFileStatusUpdated", DataVersion: "1.0", Data: eventData(rec)}
	for range 2 { // and once more, as at-least-once delivery may
		if err := eg.Publish(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"eg-schema", "cloudevents-batch"} {
		if err := eg.Drain(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "3 jobs done", func() bool { return health(t, addr)[jobs.Done] == 3 })
	checkFiles(t, out, rec.Documents...)
	// A job is done once it has the bytes; the emulator journals each
	// request when its answer ends, which can be a moment later.
	emulatortest.AwaitRequests(t, srv, journal.Filter{Plane: journal.PlaneData}, 6)
	n, _ := srv.Control().CountRequests(ctx, api.RequestFilter{Plane: journal.PlaneData, Target: journal.TargetMedia})
	if n != 3 {
		t.Errorf("%d media requests for 3 chunks delivered 4 times each", n)
	}
	if all, _ := srv.Control().CountRequests(ctx, api.RequestFilter{Plane: journal.PlaneData}); all != 6 {
		t.Errorf("%d data-plane requests, want 6 (the forged chunks must cause none)", all)
	}
	if h := health(t, addr); len(h) != 1 {
		t.Errorf("jobs %v: the forged chunks were queued", h)
	}
	if _, err := os.Stat(filepath.Join(out, ".acsrec.db")); err != nil {
		t.Error(err)
	}
}
