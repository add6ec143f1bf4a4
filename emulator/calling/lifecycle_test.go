package calling_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// TestStartPauseResumeStopProducesTheRecording drives a whole call with signed
// requests on a manual clock: 30 min recorded, 10 min paused, 90 min recorded.
func TestStartPauseResumeStopProducesTheRecording(t *testing.T) {
	e := newEnv(t, emulator.Options{}) // default 5 s processing delay
	body := fmt.Sprintf(`{"callLocator":{"serverCallId":"c2VydmVyLWNhbGw","kind":"serverCallLocator"},
		"recordingStateCallbackUri":%q,"recordingContentType":"audio","recordingChannelType":"unmixed",
		"recordingFormatType":"wav",
		"audioChannelParticipantOrdering":[{"rawId":"8:acs:r_a"},{"rawId":"8:acs:r_b"},{"communicationUser":{"id":"8:acs:r_c"}}],
		"channelAffinity":[{"channel":0,"participant":{"rawId":"8:acs:r_c"}}]}`, e.cb.url())
	id := e.start(t, body)
	base := "/calling/recordings/" + id
	e.cb.expectStates(t, id, "inactive")
	e.clk.Advance(calling.DefaultActivationDelay) // media flows: the recording starts
	e.cb.expectStates(t, id, "active")
	on := t0.Add(calling.DefaultActivationDelay)

	e.clk.Advance(30 * time.Minute)
	e.must(t, http.MethodPost, base+":pause?"+apiVersion, http.StatusAccepted)
	e.cb.expectStates(t, id, "inactive")
	if r := e.do(t, http.MethodGet, base+"?"+apiVersion, "", nil); !jsonEq(t, r.body,
		`{"recordingId":"`+id+`","recordingState":"inactive","recordingKind":"azureCommunicationServices"}`) {
		t.Fatalf("state while paused: %s", r.body)
	}
	e.clk.Advance(10 * time.Minute)
	e.must(t, http.MethodPost, base+":resume?"+apiVersion, http.StatusAccepted)
	e.cb.expectStates(t, id, "active")
	e.clk.Advance(90 * time.Minute)
	e.must(t, http.MethodDelete, base+"?"+apiVersion, http.StatusNoContent)
	d := e.cb.next(t)
	if d.State != "inactive" || d.ServerCallID != "c2VydmVyLWNhbGw" || !d.StartDateTime.Equal(on) ||
		d.RecordingKind != "azureCommunicationServices" || d.CorrelationID == "" || d.ResultInformation.Code != 200 {
		t.Fatalf("stop callback %+v", d)
	}

	ctl := e.srv.Control()
	ctx := context.Background()
	call, err := ctl.CallRecording(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if call.Processed || call.ProcessAt == nil || !call.ProcessAt.Equal(on.Add(130*time.Minute+5*time.Second)) {
		t.Fatalf("before the processing delay: %+v", call)
	}
	if _, ok := e.srv.Recordings().Recording(id); ok {
		t.Fatal("the recording exists before the processing delay")
	}
	waitForWaiter(t, e.clk)
	e.clk.Advance(5 * time.Second)
	if call, err = ctl.CallRecording(ctx, id, 10*time.Second); err != nil || !call.Processed || call.Error != "" {
		t.Fatalf("after the processing delay: %+v %v", call, err)
	}
	if call.ActiveDurationMs != (2*time.Hour).Milliseconds() || len(call.Pauses) != 1 {
		t.Fatalf("call view %+v", call)
	}

	rec, ok := e.srv.Recordings().Recording(id)
	if !ok {
		t.Fatal("no recording under the Call Automation recordingId")
	}
	if rec.Duration != 2*time.Hour || !rec.StartTime.Equal(on) || rec.ServerCallID != "c2VydmVyLWNhbGw" || len(rec.Documents) != 1 {
		t.Fatalf("recording %s from %s, %d documents", rec.Duration, rec.StartTime, len(rec.Documents))
	}
	doc := rec.Documents[0]
	var md recordings.Metadata
	if err := json.NewDecoder(io.NewSectionReader(doc.Metadata().Data, 0, doc.Metadata().Size())).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if md.ChunkDuration != 7_200_000 || !md.ChunkStartTime.Equal(on) || len(md.PauseResumeIntervals) != 1 ||
		!md.PauseResumeIntervals[0].StartTime.Equal(on.Add(30*time.Minute)) || md.PauseResumeIntervals[0].Duration != 600_000 {
		t.Fatalf("metadata %+v", md)
	}
	wantParts := []string{"8:acs:r_c", "8:acs:r_a", "8:acs:r_b"} // r_c pinned to channel 0
	if len(md.Participants) != 3 {
		t.Fatalf("participants %+v", md.Participants)
	}
	for i, p := range md.Participants {
		if p.ParticipantID != wantParts[i] || p.Channel == nil || *p.Channel != i {
			t.Fatalf("participant %d: %+v", i, p)
		}
	}
	if md.RecordingInfo.ChannelType != "unmixed" || md.RecordingInfo.Format != "wav" || md.RecordingInfo.AudioConfiguration.Channels != 3 {
		t.Fatalf("recording info %+v", md.RecordingInfo)
	}
	// The media says the same: a 3-channel WAV of exactly two hours.
	head := make([]byte, 44)
	if _, err := doc.Media().Data.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	channels, byteRate := binary.LittleEndian.Uint16(head[22:]), binary.LittleEndian.Uint32(head[28:])
	dataLen := binary.LittleEndian.Uint32(head[40:])
	if got := time.Duration(float64(dataLen) / float64(byteRate) * float64(time.Second)); channels != 3 || got != 2*time.Hour {
		t.Fatalf("media: %d channels, %s", channels, got)
	}
}

func TestPauseOnStartThenResumeCountsOnlyTheActiveTime(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	id := e.start(t, fmt.Sprintf(`{"callLocator":{"groupCallId":"g-1","kind":"groupCallLocator"},"pauseOnStart":true,
		"recordingFormatType":"mp3","recordingStateCallbackUri":%q}`, e.cb.url()))
	base := "/calling/recordings/" + id
	e.cb.expectStates(t, id, "inactive")
	e.clk.Advance(2 * time.Minute)
	e.must(t, http.MethodPost, base+":resume?"+apiVersion, http.StatusAccepted)
	e.clk.Advance(time.Minute)
	e.must(t, http.MethodPost, base+":pause?"+apiVersion, http.StatusAccepted)
	e.clk.Advance(time.Minute)
	e.must(t, http.MethodDelete, base+"?"+apiVersion, http.StatusNoContent) // stopped while paused
	e.cb.expectStates(t, id, "active", "inactive", "inactive")
	rec, ok := e.srv.Recordings().Recording(id) // no processing delay: ready when stop answered
	if !ok {
		t.Fatal("no recording")
	}
	want := []recordings.Pause{{At: 0, Duration: 2 * time.Minute}, {At: time.Minute, Duration: time.Minute}}
	if rec.CallID != "g-1" || rec.Spec.Format != "mp3" || rec.Spec.ContentType != "audio" || len(rec.Spec.Pauses) != 2 ||
		rec.Spec.Pauses[0] != want[0] || rec.Spec.Pauses[1] != want[1] || !rec.StartTime.Equal(t0) {
		t.Fatalf("recording %+v", rec.Spec)
	}
	if d := rec.Duration; d < time.Minute-30*time.Millisecond || d > time.Minute+30*time.Millisecond {
		t.Fatalf("mp3 duration %s, want a minute (to a frame)", d)
	}
}

func TestNeverActiveRecordingProducesNoFile(t *testing.T) {
	e := newEnv(t, emulator.Options{RecordingProcessingDelay: -1})
	id := e.start(t, `{"callLocator":{"roomId":"room-1","kind":"roomCallLocator"},"pauseOnStart":true}`)
	e.clk.Advance(time.Minute)
	e.must(t, http.MethodDelete, "/calling/recordings/"+id+"?"+apiVersion, http.StatusNoContent)
	call, err := e.srv.Control().CallRecording(context.Background(), id, 0)
	if err != nil || !call.Processed || call.Error == "" || call.RoomID != "room-1" {
		t.Fatalf("%+v %v", call, err)
	}
	if _, ok := e.srv.Recordings().Recording(id); ok {
		t.Fatal("a recording that was never active has a file")
	}
}
