package calling_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// The retry tests start recordings active at once (the legacy setting), so
// that the only thing waiting on the clock is the notifier.
func TestFailedCallbacksAreRetriedOnTheClockAndJournaled(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingActivationDelay: -1})
	e.cb.fail = []int{500, 503}
	id := e.start(t, fmt.Sprintf(`{%s,"recordingStateCallbackUri":%q}`, locator, e.cb.url()))
	for _, wait := range []time.Duration{2 * time.Second, 4 * time.Second} {
		waitForWaiter(t, e.clk) // the notifier is backing off on the emulator clock
		e.clk.Advance(wait)
	}
	if d := e.cb.next(t); d.RecordingID != id || d.State != "active" {
		t.Fatalf("%+v", d)
	}
	got := waitJournal(t, e.srv.Journal(), journal.Filter{Plane: calling.PlaneCallback}, 3)
	if len(got) != 3 {
		t.Fatalf("%d callback attempts journaled, want 3", len(got))
	}
	for i, want := range []int{500, 503, 200} {
		a := got[i]
		if a.Status != want || a.Method != "POST" || a.Path != "/api/callbacks" || a.Query != "x=1" || a.Target != calling.TargetRecordingCallback {
			t.Fatalf("attempt %d: %+v", i, a)
		}
	}
	if !strings.Contains(got[0].Error, "attempt 1 of 5 failed (status 500); retrying after 2s") || got[2].Error != "" {
		t.Fatalf("notes %q / %q", got[0].Error, got[2].Error)
	}
}

func TestCallbacksGiveUpAfterTheLastAttempt(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingActivationDelay: -1})
	e.cb.fail = []int{500, 500, 500, 500, 500, 500}
	e.start(t, fmt.Sprintf(`{%s,"recordingStateCallbackUri":%q}`, locator, e.cb.url()))
	for i := range 4 {
		waitForWaiter(t, e.clk)
		e.clk.Advance(2 * time.Second << i)
	}
	got := waitJournal(t, e.srv.Journal(), journal.Filter{Plane: calling.PlaneCallback}, 5)
	if len(got) != 5 || !strings.HasSuffix(got[4].Error, "attempt 5 of 5 failed (status 500); giving up") {
		t.Fatalf("%d attempts: %+v", len(got), got)
	}
}

// TestServicePublishesAfterTheProcessingDelay uses the service on its own,
// with a publish hook standing in for Event Grid.
func TestServicePublishesAfterTheProcessingDelay(t *testing.T) {
	clk := clock.NewManual(t0)
	published := make(chan *recordings.Recording, 1)
	svc := calling.New(calling.Options{Clock: clk, Store: recordings.NewStore(clk, 1, "res", 1<<20), ProcessingDelay: time.Minute,
		Publish: func(_ context.Context, r *recordings.Recording) error { published <- r; return nil }})
	defer svc.Close()
	srv := newServiceServer(t, svc)
	id := srv.start(t, `{`+locator+`,"recordingFormatType":"mp3"}`)
	clk.Advance(90 * time.Second)
	srv.must(t, http.MethodDelete, "/calling/recordings/"+id+"?"+apiVersion, http.StatusNoContent)
	waitForWaiter(t, clk)
	clk.Advance(time.Minute)
	select {
	case rec := <-published:
		if rec.ID != id || rec.Subject() != "/recording/call/"+rec.CallID+"/serverCallId/abc/recordingId/"+id {
			t.Fatalf("published %s %s", rec.ID, rec.Subject())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing published")
	}
}

func TestCloseStopsPendingWorkAndResetForgets(t *testing.T) {
	clk := clock.NewManual(t0)
	svc := calling.New(calling.Options{Clock: clk, Store: recordings.NewStore(clk, 1, "res", 1<<20), ProcessingDelay: time.Hour,
		Publish: func(context.Context, *recordings.Recording) error { return errors.New("must not publish") }})
	srv := newServiceServer(t, svc)
	sink := newCallbackSink(t)
	sink.fail = []int{500}
	id := srv.start(t, fmt.Sprintf(`{%s,"recordingStateCallbackUri":%q}`, locator, sink.url()))
	clk.Advance(time.Minute)
	srv.must(t, http.MethodDelete, "/calling/recordings/"+id+"?"+apiVersion, http.StatusNoContent)
	other := srv.start(t, `{`+locator+`}`)
	svc.Reset()
	srv.must(t, http.MethodGet, "/calling/recordings/"+other+"?"+apiVersion, http.StatusNotFound)
	svc.Close() // the processing wait and the callback retry wait both end
	svc.Close()
	clk.Advance(2 * time.Hour)
}
