package scenarios_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/scenarios/match"
)

// subjects lists the subjects of the events in a delivery body (an Event
// Grid array), in the order they arrived.
func subjects(body []byte) []string {
	GinkgoHelper()
	var evs []struct {
		Subject string `json:"subject"`
	}
	Expect(json.Unmarshal(body, &evs)).To(Succeed())
	var out []string
	for _, e := range evs {
		out = append(out, e.Subject)
	}
	return out
}

var _ = Describe("Duplicate and out-of-order deliveries", Label("area:delivery"), func() {
	var (
		srv *emu
		rc  *refClient
	)
	BeforeEach(func() {
		srv = startEmulator(emulator.Options{Seed: 9, EventTimeScale: deliveryTimeScale})
		rc = startRefClient(srv, download.Options{}, webhook.Options{})
	})

	// fired returns the delivery faults that fired, by action.
	fired := func(ctx SpecContext, action string) []faults.Fired {
		GinkgoHelper()
		fs, err := srv.Control().FiredFaults(ctx, 0)
		Expect(err).NotTo(HaveOccurred())
		var out []faults.Fired
		for _, f := range fs {
			if f.Action == action {
				out = append(out, f)
			}
		}
		return out
	}

	It("downloads each chunk once when Event Grid delivers the same event twice", func(ctx SpecContext) {
		sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings"})
		addFaults(ctx, srv, `{"id":"twice","match":{"target":"delivery"},"when":{"times":1},"action":{"type":"duplicate"}}`)
		rec := createRecording(ctx, srv, smallRecording)
		drain(ctx, srv, sub.Name)

		Expect(fired(ctx, "duplicate")).To(ConsistOf(HaveField("Subscription", BeEquivalentTo(sub.Name))))
		Expect(rc.received()).To(HaveLen(2), "the webhook got the event twice")
		Expect(rc.Hook.Stats()).To(And(HaveField("Accepted", BeEquivalentTo(len(rec.Documents))),
			HaveField("Duplicates", BeEquivalentTo(len(rec.Documents)))))
		rc.awaitDone(rec)
		rc.expectFiles(rec, "wav")
		Expect(rc.Store.Counts()).To(Equal(map[jobs.State]int{jobs.Done: len(rec.Documents)}), "one job per chunk")
		Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(rec))
		Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedMetadataOnce(rec))
	})

	It("downloads each chunk once when a batch arrives out of order and an event comes again later", func(ctx SpecContext) {
		sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings", MaxEventsPerBatch: 10})
		addFaults(ctx, srv, `{"id":"shuffle","match":{"target":"delivery"},"when":{"times":1},"action":{"type":"reorder"}}`)
		first, second := smallRecording, smallRecording
		first.NoEvent, second.NoEvent = true, true
		a, b := createRecording(ctx, srv, first), createRecording(ctx, srv, second)
		evA, evB := fileEvent(srv, a), fileEvent(srv, b)

		By("publishing A then B in one batch, which the webhook receives as B then A")
		_, err := srv.Control().PublishEvents(ctx, evA, evB)
		Expect(err).NotTo(HaveOccurred())
		drain(ctx, srv, sub.Name)
		Expect(fired(ctx, "reorder")).To(HaveLen(1))
		got := rc.received()
		Expect(got).To(HaveLen(1))
		Expect(subjects(got[0].Body)).To(Equal([]string{evB.Subject, evA.Subject}))

		By("publishing A again, as a second delivery of the same recording")
		_, err = srv.Control().PublishEvents(ctx, evA)
		Expect(err).NotTo(HaveOccurred())
		drain(ctx, srv, sub.Name)
		Expect(rc.received()).To(HaveLen(2))
		Expect(rc.Hook.Stats().Duplicates).To(BeEquivalentTo(len(a.Documents)))

		rc.awaitDone(a)
		rc.awaitDone(b)
		rc.expectFiles(a, "wav")
		rc.expectFiles(b, "wav")
		Eventually(srv).WithTimeout(journalTimeout).Should(And(match.HaveDownloadedOnce(a), match.HaveDownloadedOnce(b)))
		Eventually(srv).WithTimeout(journalTimeout).Should(And(match.HaveDownloadedMetadataOnce(a), match.HaveDownloadedMetadataOnce(b)))
	})
})
