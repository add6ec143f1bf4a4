package scenarios_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/scenarios/match"
)

// smallRecording is a recording of two small chunks.
var smallRecording = api.RecordingSpec{Duration: api.Duration(3 * time.Second), ChunkSizeLimit: 60_000}

// fileEvent is the RecordingFileStatusUpdated event of a recording created
// with NoEvent, as the emulator would publish it.
func fileEvent(srv *emulator.Server, rec api.Recording) eventgrid.Event {
	GinkgoHelper()
	r, ok := srv.Recordings().Recording(rec.ID)
	Expect(ok).To(BeTrue(), "recording %s", rec.ID)
	data, err := json.Marshal(r.EventData(srv.StorageBaseURL()))
	Expect(err).NotTo(HaveOccurred())
	return eventgrid.Event{Subject: r.Subject(), EventType: recordings.EventType, DataVersion: "1.0", Data: data}
}

// addFaults installs fault rules given as JSON.
func addFaults(ctx context.Context, srv *emulator.Server, rules string) {
	GinkgoHelper()
	_, err := srv.Control().AddFaultsJSON(ctx, []byte(rules))
	Expect(err).NotTo(HaveOccurred())
}

// attempts returns a subscription's delivery attempts, oldest first.
func attempts(ctx context.Context, srv *emulator.Server, f eventgrid.AttemptFilter) []eventgrid.Attempt {
	GinkgoHelper()
	as, err := srv.Control().Deliveries(ctx, f)
	Expect(err).NotTo(HaveOccurred())
	return as
}

var _ = Describe("Event Grid delivery", Label("area:delivery"), func() {
	var (
		srv *emulator.Server
		rc  *refClient
	)
	BeforeEach(func() {
		srv = startEmulator(emulator.Options{Seed: 5, EventTimeScale: deliveryTimeScale})
		rc = startRefClient(srv, download.Options{}, webhook.Options{})
	})

	DescribeTable("retries a failing webhook on Event Grid's schedule, then the download happens once",
		func(ctx SpecContext, action string, wantStatus int, wantGaps []time.Duration) {
			sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings"})
			addFaults(ctx, srv, fmt.Sprintf(`{"id":"down","match":{"target":"delivery"},"when":{"times":%d},"action":%s}`, len(wantGaps), action))
			rec := createRecording(ctx, srv, smallRecording)
			drain(ctx, srv, sub.Name)

			as := attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: sub.Name})
			Expect(as).To(HaveLen(len(wantGaps) + 1))
			for i, a := range as {
				Expect(a.Attempt).To(Equal(i), "aeg-delivery-count of attempt %d", i)
				if i < len(wantGaps) {
					Expect(a).To(And(HaveField("Status", wantStatus), HaveField("Disposition", eventgrid.DispositionRetrying)))
					gap := as[i+1].NominalTime.Sub(a.NominalTime)
					Expect(gap).To(BeNumerically(">=", wantGaps[i]), "nominal gap after attempt %d", i)
					Expect(gap).To(BeNumerically("<=", time.Duration(float64(wantGaps[i])*(1+eventgrid.RetrySpread))), "nominal gap after attempt %d", i)
				} else {
					Expect(a).To(And(HaveField("Status", 200), HaveField("Disposition", eventgrid.DispositionDelivered)))
				}
			}
			rc.awaitDone(rec)
			rc.expectFiles(rec, "wav")
			Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(rec))
		},
		Entry("500 twice, then 200: attempts 0, 1 and 2, 10 s then 30 s apart",
			`{"type":"status","status":500}`, 500, []time.Duration{10 * time.Second, 30 * time.Second}),
		Entry("503 twice: never sooner than 503's 30 s floor",
			`{"type":"status","status":503}`, 503, []time.Duration{30 * time.Second, 30 * time.Second}),
		Entry("408 once: never sooner than 408's 2 min floor",
			`{"type":"status","status":408}`, 408, []time.Duration{2 * time.Minute}),
		Entry("a timeout once: retried after 10 s",
			`{"type":"timeout","after":"10ms"}`, 0, []time.Duration{10 * time.Second}),
	)

	DescribeTable("dead-letters at once what the webhook refuses with a status Event Grid does not retry",
		func(ctx SpecContext, status int) {
			sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings", DeadLetter: true})
			addFaults(ctx, srv, fmt.Sprintf(`{"match":{"target":"delivery"},"action":{"type":"status","status":%d}}`, status))
			rec := createRecording(ctx, srv, smallRecording)
			drain(ctx, srv, sub.Name)

			Expect(attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: sub.Name})).To(ConsistOf(
				And(HaveField("Attempt", 0), HaveField("Status", status), HaveField("Disposition", eventgrid.DispositionDeadLettered))))
			dls, err := srv.Control().DeadLetters(ctx, sub.Name)
			Expect(err).NotTo(HaveOccurred())
			Expect(dls).To(ConsistOf(And(HaveField("DeadLetterReason", eventgrid.ReasonMaxDeliveryAttemptsExceeded),
				HaveField("DeliveryAttempts", 1), HaveField("LastHTTPStatusCode", status))))
			var record map[string]any
			Expect(json.Unmarshal(dls[0].Record, &record)).To(Succeed())
			Expect(record).To(And(HaveKeyWithValue("deadLetterReason", eventgrid.ReasonMaxDeliveryAttemptsExceeded),
				HaveKeyWithValue("lastHttpStatusCode", BeNumerically("==", status))))
			Expect(rc.received()).To(BeEmpty())
			Expect(rc.state(rec.Documents[0].ID)).To(BeEmpty(), "no job for an event the webhook never got")
		},
		Entry("400 Bad Request", 400),
		Entry("401 Unauthorized", 401),
		Entry("403 Forbidden", 403),
		Entry("413 Payload Too Large", 413),
	)

	It("drops, without retrying, what the webhook refuses when the subscription has no dead-letter destination", func(ctx SpecContext) {
		sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings"})
		addFaults(ctx, srv, `{"match":{"target":"delivery"},"action":{"type":"status","status":400}}`)
		createRecording(ctx, srv, smallRecording)
		drain(ctx, srv, sub.Name)
		Expect(attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: sub.Name})).To(ConsistOf(HaveField("Disposition", eventgrid.DispositionDropped)))
		Expect(srv.Control().DeadLetters(ctx, sub.Name)).To(BeEmpty())
	})

	DescribeTable("dead-letters an event that keeps failing, with the reason in the dead-letter record",
		func(ctx SpecContext, policy eventgrid.RetryPolicy, status int, wantReason string, wantAttempts types.GomegaMatcher) {
			sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings", DeadLetter: true, RetryPolicy: policy})
			addFaults(ctx, srv, fmt.Sprintf(`{"match":{"target":"delivery"},"action":{"type":"status","status":%d}}`, status))
			createRecording(ctx, srv, smallRecording)
			drain(ctx, srv, sub.Name)

			as := attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: sub.Name})
			Expect(len(as)).To(wantAttempts)
			dls, err := srv.Control().DeadLetters(ctx, sub.Name)
			Expect(err).NotTo(HaveOccurred())
			Expect(dls).To(ConsistOf(And(HaveField("DeadLetterReason", wantReason), HaveField("DeliveryAttempts", len(as)),
				HaveField("LastHTTPStatusCode", status))))
			var record map[string]any
			Expect(json.Unmarshal(dls[0].Record, &record)).To(Succeed())
			Expect(record).To(And(HaveKeyWithValue("deadLetterReason", wantReason), HaveKeyWithValue("eventType", recordings.EventType)))
			Expect(rc.received()).To(BeEmpty())
		},
		Entry("maxDeliveryAttempts 3 with a webhook that answers 503: MaxDeliveryAttemptsExceeded after 3 attempts",
			eventgrid.RetryPolicy{MaxDeliveryAttempts: 3}, 503, eventgrid.ReasonMaxDeliveryAttemptsExceeded, Equal(3)),
		Entry("a one-minute time to live with a webhook that answers 500: TimeToLiveExceeded",
			eventgrid.RetryPolicy{EventTimeToLiveInMinutes: 1}, 500, eventgrid.ReasonTimeToLiveExceeded, BeNumerically(">=", 2)),
	)
})
