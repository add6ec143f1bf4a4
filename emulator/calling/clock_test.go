package calling_test

import (
	"context"
	callclient "github.com/acsemu/acsemu/client/calling"
	"github.com/acsemu/acsemu/emulator/api"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

func TestOffsetAdvancesAndWakesWaiters(t *testing.T) {
	base := clock.NewManual(t0)
	c := clock.NewOffset(base)
	late := c.After(time.Hour)
	soon := c.After(time.Minute)
	if now := c.Advance(30 * time.Second); !now.Equal(t0.Add(30*time.Second)) || c.Offset() != 30*time.Second {
		t.Fatalf("now %s offset %s", now, c.Offset())
	}
	select {
	case <-soon:
		t.Fatal("fired early")
	default:
	}
	c.Advance(30 * time.Second) // the minute has passed through the offset
	if got := <-soon; !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("fired at %s", got)
	}
	base.Advance(59 * time.Minute) // the rest passes on the base clock
	select {
	case got := <-late:
		if !got.Equal(t0.Add(time.Hour)) {
			t.Fatalf("fired at %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the base clock did not wake the waiter")
	}
	if got := <-c.After(0); !got.Equal(c.Now()) {
		t.Fatalf("After(0) = %s", got)
	}
	never := c.After(time.Second)
	c.Close()
	c.Advance(time.Hour)
	select {
	case <-never:
		t.Fatal("a cancelled waiter fired")
	default:
	}
}

// TestRealClockModeAdvancesOnlyTheRecordingClock records two hours on a
// wall-clock emulator: signatures keep using the wall clock.
func TestRealClockModeAdvancesOnlyTheRecordingClock(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{RecordingProcessingDelay: -1})
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	ca := &callclient.Client{Endpoint: srv.URL(), HTTP: signer.New(cs).Client()}
	ctl := srv.Control()
	ctx := context.Background()
	st, err := ca.Start(ctx, api.StartRecordingRequest{CallLocator: &api.CallLocator{ServerCallID: "s"}, RecordingFormatType: "mp3"})
	if err != nil {
		t.Fatal(err)
	}
	clk, err := ctl.AdvanceClock(ctx, 2*time.Hour)
	if err != nil || clk.Manual || time.Duration(clk.Offset) != 2*time.Hour || time.Until(clk.Now) < 119*time.Minute {
		t.Fatalf("%+v %v", clk, err)
	}
	if err := ca.Stop(ctx, st.RecordingID); err != nil { // signed with the wall clock: still accepted
		t.Fatal(err)
	}
	rec, ok := srv.Recordings().Recording(st.RecordingID)
	if !ok || rec.Duration < 2*time.Hour-calling.DefaultActivationDelay || rec.Duration > 2*time.Hour+time.Minute { // media flows 2 s after start
		t.Fatalf("recording %v", ok)
	}
}

func TestClockControlRoutes(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ctl := e.srv.Control()
	ctx := context.Background()
	st, err := ctl.Clock(ctx)
	if err != nil || !st.Manual || !st.Now.Equal(t0) || time.Duration(st.ProcessingDelay) != calling.DefaultProcessingDelay {
		t.Fatalf("%+v %v", st, err)
	}
	if st, err = ctl.AdvanceClock(ctx, 90*time.Minute); err != nil || !st.Now.Equal(t0.Add(90*time.Minute)) || !e.clk.Now().Equal(st.Now) {
		t.Fatalf("%+v %v", st, err)
	}
	for _, body := range []string{`{"advance":"-1h"}`, `{"advance":"0s"}`, `{"advance":"soon"}`, `{"back":"1h"}`} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+"/_emulator/clock", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %d", body, resp.StatusCode)
		}
	}
	if _, err := ctl.CallRecording(ctx, "nope", 0); !control.IsNotFound(err) {
		t.Fatalf("unknown call recording: %v", err)
	}
}
