package scenarios_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/eventgrid/filter"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/scenarios/match"
)

// memSink keeps the jobs a webhook accepts in memory: a webhook that
// listens without downloading.
type memSink struct {
	mu   sync.Mutex
	jobs []jobs.Job
}

func (m *memSink) Add(js ...jobs.Job) ([]jobs.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.jobs = append(m.jobs, js...)
	return js, nil
}

// listener starts a webhook that validates and accepts everything, and
// downloads nothing.
func listener() string {
	hs := httptest.NewServer(webhook.New(&memSink{}, webhook.Options{}))
	DeferCleanup(hs.Close)
	return hs.URL
}

var _ = Describe("Subscriptions", Label("area:delivery"), func() {
	var srv *emulator.Server
	BeforeEach(func() {
		srv = startEmulator(emulator.Options{Seed: 11, EventTimeScale: deliveryTimeScale})
	})

	DescribeTable("a subscription never receives what its filter excludes",
		func(ctx SpecContext, filterFor func(included api.Recording) api.EventFilter, excludedSpec api.RecordingSpec, excludedType string) {
			rc := startRefClient(srv, download.Options{}, webhook.Options{})
			inc := createRecording(ctx, srv, api.RecordingSpec{Duration: api.Duration(2 * time.Second), NoEvent: true})
			excludedSpec.NoEvent = true
			exc := createRecording(ctx, srv, excludedSpec)
			filtered := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "filtered", Filter: filterFor(inc)})
			everything, err := srv.Control().CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "everything", EndpointURL: listener()})
			Expect(err).NotTo(HaveOccurred())
			Expect(everything).To(match.BeValidated())

			evExc := fileEvent(srv, exc)
			if excludedType != "" {
				evExc.EventType = excludedType
			}
			ids, err := srv.Control().PublishEvents(ctx, fileEvent(srv, inc), evExc)
			Expect(err).NotTo(HaveOccurred())
			drain(ctx, srv, filtered.Name)
			drain(ctx, srv, everything.Name)

			By("delivering the excluded event only where no filter stops it")
			Expect(attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: everything.Name, EventID: ids[1]})).To(HaveLen(1))
			Expect(attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: filtered.Name, EventID: ids[1]})).To(BeEmpty())
			Expect(attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: filtered.Name, EventID: ids[0]})).To(
				ConsistOf(HaveField("Outcome", eventgrid.OutcomeDelivered)))

			By("downloading the included recording and nothing of the excluded one")
			rc.awaitDone(inc)
			rc.expectFiles(inc, "wav")
			for _, d := range exc.Documents {
				Expect(rc.state(d.ID)).To(BeEmpty())
				Expect(srv).To(match.HaveRequestCount(journal.Filter{Plane: journal.PlaneData, DocumentID: d.ID}, 0))
			}
		},
		Entry("includedEventTypes lets only the file event through",
			func(api.Recording) api.EventFilter {
				return api.EventFilter{IncludedEventTypes: []string{recordings.EventType}}
			}, api.RecordingSpec{Duration: api.Duration(time.Second)}, "Microsoft.Communication.RecordingStateChanged"),
		Entry("subjectBeginsWith keeps one call's recordings",
			func(inc api.Recording) api.EventFilter {
				return api.EventFilter{SubjectBeginsWith: "/recording/call/" + inc.CallID + "/"}
			}, api.RecordingSpec{Duration: api.Duration(time.Second)}, ""),
		Entry("subjectEndsWith keeps one recording id",
			func(inc api.Recording) api.EventFilter {
				return api.EventFilter{SubjectEndsWith: "/recordingId/" + inc.ID}
			}, api.RecordingSpec{Duration: api.Duration(time.Second)}, ""),
		Entry("an advanced StringIn filter on the format keeps WAV and drops MP3",
			func(api.Recording) api.EventFilter {
				return api.EventFilter{AdvancedFilters: []api.AdvancedFilter{{OperatorType: filter.StringIn, Key: "data.recordingFormatType", Values: []any{"wav"}}}}
			}, api.RecordingSpec{Duration: api.Duration(time.Second), Format: "mp3"}, ""),
		Entry("an advanced NumberLessThan filter on the duration drops long recordings",
			func(api.Recording) api.EventFilter {
				return api.EventFilter{AdvancedFilters: []api.AdvancedFilter{{OperatorType: filter.NumberLessThan, Key: "data.recordingDurationMs", Value: 5000}}}
			}, api.RecordingSpec{Duration: api.Duration(8 * time.Second)}, ""),
	)

	DescribeTable("completes the CloudEvents OPTIONS handshake and downloads what arrives as CloudEvents",
		func(ctx SpecContext, batch int, wantContentType string) {
			rc := startRefClient(srv, download.Options{}, webhook.Options{})
			sub := rc.subscribe(ctx, srv, eventgrid.SubscriptionSpec{Name: "cloudevents",
				EventDeliverySchema: eventgrid.CloudEventSchema, MaxEventsPerBatch: batch})
			Expect(rc.Hook.Stats().Handshakes).To(BeEquivalentTo(1))
			Expect(rc.Hook.Stats().Validations).To(BeZero(), "no Event Grid validation event for CloudEvents")
			rec := createRecording(ctx, srv, smallRecording)
			drain(ctx, srv, sub.Name)

			got := rc.received()
			Expect(got).To(HaveLen(1))
			Expect(got[0].ContentType).To(Equal(wantContentType))
			Expect(string(got[0].Body)).To(ContainSubstring(`"specversion":"1.0"`))
			rc.awaitDone(rec)
			rc.expectFiles(rec, "wav")
			Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(rec))
		},
		Entry("one event per request", 1, eventgrid.ContentTypeCloudEvent),
		Entry("batches", 5, eventgrid.ContentTypeCloudEventBatch),
	)

	It("fails a CloudEvents subscription whose webhook does not grant Event Grid's origin, and delivers nothing to it", func(ctx SpecContext) {
		rc := startRefClient(srv, download.Options{}, webhook.Options{AllowedOrigins: []string{"contoso.example"}})
		sub, err := srv.Control().CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "cloudevents",
			EndpointURL: rc.URL, EventDeliverySchema: eventgrid.CloudEventSchema})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub).NotTo(match.BeValidated())
		Expect(sub.ProvisioningState).To(Equal(eventgrid.StateFailed))
		Expect(sub.FailureReason).NotTo(BeEmpty())
		createRecording(ctx, srv, smallRecording)
		Expect(attempts(ctx, srv, eventgrid.AttemptFilter{Subscription: sub.Name})).To(BeEmpty())
	})

	It("validates a webhook that does not echo the code once its validationUrl is called", func(ctx SpecContext) {
		var validationURL string
		var mu sync.Mutex
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var evs []struct {
				Data struct {
					ValidationURL string `json:"validationUrl"`
				} `json:"data"`
			}
			if r.Header.Get("aeg-event-type") == "SubscriptionValidation" && json.NewDecoder(r.Body).Decode(&evs) == nil && len(evs) == 1 {
				mu.Lock()
				validationURL = evs[0].Data.ValidationURL
				mu.Unlock()
			}
			w.WriteHeader(http.StatusOK) // 200 without validationResponse
		}))
		DeferCleanup(hs.Close)
		sub, err := srv.Control().CreateSubscription(ctx, eventgrid.SubscriptionSpec{Name: "manual", EndpointURL: hs.URL})
		Expect(err).NotTo(HaveOccurred())
		Expect(sub).NotTo(match.BeValidated())
		Expect(sub.ProvisioningState).To(Equal(eventgrid.StateAwaitingManualAction))

		mu.Lock()
		u := validationURL
		mu.Unlock()
		Expect(u).To(HavePrefix(srv.PublicURL()))
		resp, err := http.Get(u)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(srv.Control().Subscription(ctx, sub.Name)).To(match.BeValidated())
	})
})
