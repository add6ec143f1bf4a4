package scenarios_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/scenarios/match"
)

var _ = Describe("The whole recording flow", Label("area:delivery", "happy-path"), func() {
	It("subscribes, validates, receives the file event, downloads every chunk and its metadata once, then deletes them", func(ctx SpecContext) {
		srv := startEmulator(emulator.Options{Seed: 7, EventTimeScale: deliveryTimeScale})
		rc := startRefClient(srv, download.Options{}, webhook.Options{})

		By("subscribing the webhook, which answers the validation event")
		sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "recordings",
			Filter: api.EventFilter{IncludedEventTypes: []string{recordings.EventType}}})
		Expect(sub.ProvisioningState).To(Equal(eventgrid.StateSucceeded))
		Expect(rc.Hook.Stats().Validations).To(BeEquivalentTo(1))

		By("recording a call long enough for three chunks")
		rec := createRecording(ctx, srv, api.RecordingSpec{Duration: api.Duration(12 * time.Second), ChunkSizeLimit: 150_000})
		Expect(len(rec.Documents)).To(BeNumerically(">=", 3))

		By("delivering RecordingFileStatusUpdated once")
		drain(ctx, srv, sub.Name)
		attempts, err := srv.Control().Deliveries(ctx, eventgrid.AttemptFilter{Subscription: sub.Name})
		Expect(err).NotTo(HaveOccurred())
		Expect(attempts).To(ConsistOf(HaveField("Outcome", eventgrid.OutcomeDelivered)))
		Expect(rc.Hook.Stats().Accepted).To(BeEquivalentTo(len(rec.Documents)))

		By("downloading every chunk and its metadata exactly once, with the control plane's SHA-256")
		rc.awaitDone(rec)
		rc.expectFiles(rec, "wav")
		Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(rec))
		Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedMetadataOnce(rec))
		Expect(srv).To(match.HaveRequestCount(journal.Filter{Plane: journal.PlaneData, AuthOK: "false"}, 0))

		By("deleting every chunk: DELETE answers 200 and the document is gone")
		for _, d := range rec.Documents {
			Expect(signedDo(srv, nil, http.MethodDelete, d.DeleteLocation).StatusCode).To(Equal(http.StatusOK))
			_, err := srv.Control().Document(ctx, d.ID)
			Expect(control.IsNotFound(err)).To(BeTrue(), "document %s after its delete: %v", d.ID, err)
			Expect(signedDo(srv, nil, http.MethodGet, d.ContentLocation).StatusCode).To(Equal(http.StatusNotFound))
		}
		Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequestCount(
			journal.Filter{Plane: journal.PlaneData, Target: journal.TargetDelete, Method: http.MethodDelete, Status: http.StatusOK}, len(rec.Documents)))
	})
})
