package scenarios_test

import (
	"context"
	"encoding/json"
	callclient "github.com/acsemu/acsemu/client/calling"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	emuapi "github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/scenarios/match"
)

// stateCallbacks is a recordingStateCallbackUri: it notes the state of every
// RecordingStateChanged event it receives, in order.
type stateCallbacks struct {
	URL    string
	mu     sync.Mutex
	states []string
}

func startStateCallbacks() *stateCallbacks {
	cb := &stateCallbacks{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var evs []calling.CloudEvent
		if err := json.NewDecoder(r.Body).Decode(&evs); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		cb.mu.Lock()
		defer cb.mu.Unlock()
		for _, e := range evs {
			var d calling.StateChangedData
			if e.Type == calling.EventTypeStateChanged && json.Unmarshal(e.Data, &d) == nil {
				cb.states = append(cb.states, d.State)
			}
		}
	}))
	DeferCleanup(hs.Close)
	cb.URL = hs.URL
	return cb
}

func (cb *stateCallbacks) received() []string {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return append([]string(nil), cb.states...)
}

// metadataOf reads the metadata document the reference client wrote.
func metadataOf(rc *refClient, d emuapi.Document) recordings.Metadata {
	GinkgoHelper()
	b, err := os.ReadFile(filepath.Join(rc.Dir, d.ID+".metadata.json"))
	Expect(err).NotTo(HaveOccurred())
	var m recordings.Metadata
	Expect(json.Unmarshal(b, &m)).To(Succeed())
	return m
}

var _ = Describe("Call Automation recording", Label("area:calling"), func() {
	var (
		srv *emulator.Server
		clk *clock.Manual
		ca  *callclient.Client
		rc  *refClient
		sub eventgrid.Subscription
	)
	BeforeEach(func(ctx SpecContext) {
		clk = manualClock()
		srv = startEmulator(emulator.Options{Clock: clk, Seed: 21, EventTimeScale: deliveryTimeScale})
		// Sign on the emulator's clock: advancing it moves all of its time.
		rc = startRefClient(srv, download.Options{Clock: clk}, webhook.Options{})
		sub = rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings"})
		ca = &callclient.Client{Endpoint: srv.URL(), HTTP: signedClient(srv, signer.WithClock(clk))}
	})

	advance := func(ctx context.Context, d time.Duration) {
		GinkgoHelper()
		_, err := srv.Control().AdvanceClock(ctx, d)
		Expect(err).NotTo(HaveOccurred())
	}

	It("starts, pauses, resumes and stops a recording with signed requests, calls back each state, then delivers its file", func(ctx SpecContext) {
		cb := startStateCallbacks()
		started, err := ca.Start(ctx, emuapi.StartRecordingRequest{
			CallLocator:               &emuapi.CallLocator{ServerCallID: "aHR0cHM6Ly9jb252LmV4YW1wbGU", Kind: emuapi.LocatorServerCall},
			RecordingStateCallbackURI: cb.URL, RecordingContentType: "audio", RecordingChannelType: "mixed", RecordingFormatType: "wav"})
		Expect(err).NotTo(HaveOccurred())
		By("answering inactive until media flows, as the real service does")
		Expect(started.RecordingState).To(Equal(emuapi.RecordingStateInactive))
		id := started.RecordingID
		Eventually(cb.received).WithTimeout(callbackTimeout).Should(Equal([]string{"inactive"}))
		Expect(ca.State(ctx, id)).To(HaveField("RecordingState", emuapi.RecordingStateInactive))
		advance(ctx, calling.DefaultActivationDelay)
		Expect(ca.State(ctx, id)).To(HaveField("RecordingState", emuapi.RecordingStateActive))
		startTime := clk.Now()
		Eventually(cb.received).WithTimeout(callbackTimeout).Should(Equal([]string{"inactive", "active"}))

		By("pausing after 20 s and resuming 7 s later")
		advance(ctx, 20*time.Second)
		Expect(ca.Pause(ctx, id)).To(Succeed())
		Expect(ca.State(ctx, id)).To(HaveField("RecordingState", emuapi.RecordingStateInactive))
		Eventually(cb.received).WithTimeout(callbackTimeout).Should(Equal([]string{"inactive", "active", "inactive"}))
		advance(ctx, 7*time.Second)
		Expect(ca.Resume(ctx, id)).To(Succeed())
		Expect(ca.State(ctx, id)).To(HaveField("RecordingState", emuapi.RecordingStateActive))

		By("stopping 10 s later")
		advance(ctx, 10*time.Second)
		Expect(ca.Stop(ctx, id)).To(Succeed())
		Eventually(cb.received).WithTimeout(callbackTimeout).Should(Equal([]string{"inactive", "active", "inactive", "active", "inactive"}))

		By("letting the processing delay pass: the file event arrives and the client downloads it")
		advance(ctx, calling.DefaultProcessingDelay)
		call, err := srv.Control().CallRecording(ctx, id, callbackTimeout)
		Expect(err).NotTo(HaveOccurred())
		Expect(call).To(And(HaveField("Processed", BeTrue()), HaveField("ActiveDurationMs", BeEquivalentTo(30_000)),
			HaveField("Pauses", Equal([]emuapi.Pause{{At: emuapi.Duration(20 * time.Second), Duration: emuapi.Duration(7 * time.Second)}}))))
		rec, err := srv.Control().Recording(ctx, id)
		Expect(err).NotTo(HaveOccurred())
		drain(ctx, srv, sub.Name)
		rc.awaitDone(rec)
		rc.expectFiles(rec, "wav")

		By("listing the pause in the metadata, and 30 s of active time")
		m := metadataOf(rc, rec.Documents[0])
		Expect(m.PauseResumeIntervals).To(HaveLen(1))
		Expect(m.PauseResumeIntervals[0].StartTime).To(BeTemporally("~", startTime.Add(20*time.Second), time.Millisecond))
		Expect(m.PauseResumeIntervals[0].Duration).To(BeNumerically("==", 7000))
		var active float64
		for _, d := range rec.Documents {
			active += metadataOf(rc, d).ChunkDuration
		}
		Expect(active).To(BeNumerically("==", 30_000))

		By("showing every Call Automation request signed and answered as the service does")
		Expect(srv).To(match.HaveRequestCount(journal.Filter{Plane: journal.PlaneData, Target: journal.TargetCalling, AuthOK: "false"}, 0))
		for _, f := range []journal.Filter{
			{Method: http.MethodPost, PathPrefix: emuapi.CallRecordingPath, Status: http.StatusOK},
			{Method: http.MethodPost, PathPrefix: emuapi.CallRecordingPath + "/" + id + ":pause", Status: http.StatusAccepted},
			{Method: http.MethodPost, PathPrefix: emuapi.CallRecordingPath + "/" + id + ":resume", Status: http.StatusAccepted},
			{Method: http.MethodDelete, PathPrefix: emuapi.CallRecordingPath + "/" + id, Status: http.StatusNoContent},
		} {
			f.Plane, f.Target = journal.PlaneData, journal.TargetCalling
			Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequestCount(f, 1))
		}
		Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequestCount(journal.Filter{Plane: calling.PlaneCallback, Status: http.StatusOK}, 5))
	})

	DescribeTable("records what the call plan says, as the metadata shows",
		func(ctx SpecContext, plan callclient.Plan, wantChannels int) {
			res, err := callclient.Simulate(ctx, ca, srv.Control(), plan)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Call.ActiveDurationMs).To(Equal(plan.Duration.Milliseconds()))
			drain(ctx, srv, sub.Name)
			rc.awaitDone(res.Recording)
			rc.expectFiles(res.Recording, res.Recording.Format)
			Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(res.Recording))

			m := metadataOf(rc, res.Recording.Documents[0])
			Expect(m.RecordingInfo.AudioConfiguration.Channels).To(Equal(wantChannels))
			Expect(m.PauseResumeIntervals).To(HaveLen(len(plan.Pauses)))
			var paused time.Duration
			for i, p := range plan.Pauses {
				want := res.Call.StartTime.Add(time.Duration(p.At) + paused)
				Expect(m.PauseResumeIntervals[i].StartTime).To(BeTemporally("~", want, time.Millisecond), "pause %d", i)
				Expect(m.PauseResumeIntervals[i].Duration).To(BeNumerically("==", time.Duration(p.Duration).Milliseconds()), "pause %d", i)
				paused += time.Duration(p.Duration)
			}
		},
		Entry("a call without pauses", callclient.Plan{Duration: 6 * time.Second,
			Start: emuapi.StartRecordingRequest{RecordingContentType: "audio", RecordingFormatType: "wav"}}, 1),
		Entry("a call paused twice", callclient.Plan{Duration: 12 * time.Second,
			Pauses: []emuapi.Pause{{At: emuapi.Duration(4 * time.Second), Duration: emuapi.Duration(5 * time.Second)}, {At: emuapi.Duration(9 * time.Second), Duration: emuapi.Duration(3 * time.Second)}},
			Start:  emuapi.StartRecordingRequest{RecordingContentType: "audio", RecordingFormatType: "wav"}}, 1),
		Entry("an unmixed call with three participants, one channel each", callclient.Plan{Duration: 4 * time.Second,
			Start: emuapi.StartRecordingRequest{RecordingContentType: "audio", RecordingChannelType: "unmixed", RecordingFormatType: "wav",
				AudioChannelParticipantOrdering: []emuapi.Identifier{callclient.CommunicationUser("8:acs:r_1"),
					callclient.CommunicationUser("8:acs:r_2"), callclient.CommunicationUser("8:acs:r_3")}}}, 3),
		Entry("an MP3 call", callclient.Plan{Duration: 5 * time.Second,
			Start: emuapi.StartRecordingRequest{RecordingContentType: "audio", RecordingFormatType: "mp3"}}, 1),
	)

	DescribeTable("answers a call in the wrong state as the service does",
		func(ctx SpecContext, step func(ctx context.Context, id string) error, wantStatus int, wantMessage string) {
			started, err := ca.Start(ctx, emuapi.StartRecordingRequest{RecordingContentType: "audio",
				CallLocator: &emuapi.CallLocator{ServerCallID: "c", Kind: emuapi.LocatorServerCall}})
			Expect(err).NotTo(HaveOccurred())
			advance(ctx, calling.DefaultActivationDelay) // media flows: the recording is active
			err = step(ctx, started.RecordingID)
			var apiErr *callclient.APIError
			Expect(err).To(BeAssignableToTypeOf(apiErr))
			Expect(err).To(And(HaveField("StatusCode", wantStatus), MatchError(ContainSubstring(wantMessage))))
		},
		Entry("pausing a paused recording is a 400", func(ctx context.Context, id string) error {
			Expect(ca.Pause(ctx, id)).To(Succeed())
			return ca.Pause(ctx, id)
		}, http.StatusBadRequest, "Recording is already paused."),
		Entry("resuming an active recording is a 400", func(ctx context.Context, id string) error {
			return ca.Resume(ctx, id)
		}, http.StatusBadRequest, "Recording is already active."),
		Entry("stopping a stopped recording is a 404", func(ctx context.Context, id string) error {
			Expect(ca.Stop(ctx, id)).To(Succeed())
			return ca.Stop(ctx, id)
		}, http.StatusNotFound, "8522: Recording not found."), // the recorded code
	)
})
