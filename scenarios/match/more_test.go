package match_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/scenarios/match"
)

func TestBeValidatedSaysWhatTheWebhookDidWrong(t *testing.T) {
	g := NewWithT(t)
	srv := emulatortest.Start(t, emulator.Options{})
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var evs []struct {
			Data struct{ ValidationCode string } `json:"data"`
		}
		_ = json.NewDecoder(r.Body).Decode(&evs)
		_ = json.NewEncoder(w).Encode(map[string]string{"validationResponse": evs[0].Data.ValidationCode})
	}))
	t.Cleanup(good.Close)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "nope", http.StatusInternalServerError)
	}))
	t.Cleanup(bad.Close)

	ok, err := srv.Control().CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "good", EndpointURL: good.URL})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ok).To(match.BeValidated())
	g.Expect(&ok).To(match.BeValidated(), "a pointer works too")

	failed, err := srv.Control().CreateSubscription(t.Context(), eventgrid.SubscriptionSpec{Name: "bad", EndpointURL: bad.URL})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(failed).NotTo(match.BeValidated())
	msg := match.BeValidated().FailureMessage(failed)
	g.Expect(msg).To(ContainSubstring(`subscription "bad"`))
	g.Expect(msg).To(ContainSubstring(eventgrid.StateFailed))
	g.Expect(msg).To(ContainSubstring("500"), "the reason names what the webhook answered")

	_, err = match.BeValidated().Match("bad")
	g.Expect(err).To(MatchError(ContainSubstring("eventgrid.Subscription")))
}

func TestMetadataAndRetryAfterMatchers(t *testing.T) {
	g := NewWithT(t)
	clk := clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
	srv := emulatortest.Start(t, emulator.Options{Clock: clk})
	rec, err := srv.Control().CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(3 * time.Second), ChunkSizeLimit: 40_000, NoEvent: true})
	g.Expect(err).NotTo(HaveOccurred())
	cs, _ := signer.ParseConnectionString(srv.ConnectionString())
	c := signer.New(cs, signer.WithClock(clk)).Client()

	g.Expect(srv).NotTo(match.HaveDownloadedMetadataOnce(rec))
	for _, d := range rec.Documents {
		download(t, c, d.MetadataLocation, "")
	}
	// The journal has a request once its handler returned: poll.
	g.Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedMetadataOnce(rec))
	g.Expect(srv.Control()).To(match.HaveDownloadedMetadataOnce(rec), "through the control plane too")
	download(t, c, rec.Documents[0].PreviewMetadataURL, "")
	g.Eventually(srv).WithTimeout(journalTimeout).ShouldNot(match.HaveDownloadedMetadataOnce(rec), "a second download of chunk 0's metadata")

	g.Expect(srv).To(match.HaveNoRetryAfterViolations())
	_, err = srv.Control().AddFault(t.Context(), api.FaultRule{Match: api.FaultMatch{Target: "media"}, When: api.FaultWhen{Times: 1},
		Action: api.FaultAction(`{"type":"status","status":503,"retryAfter":"5"}`)})
	g.Expect(err).NotTo(HaveOccurred())
	download(t, c, rec.Documents[0].ContentLocation, "")
	clk.Advance(2 * time.Second)
	download(t, c, rec.Documents[0].ContentLocation, "")
	m := match.HaveNoRetryAfterViolations()
	g.Expect(m.Match(srv.Control())).To(BeFalse())
	g.Expect(m.FailureMessage(srv)).To(And(ContainSubstring("found 1"), ContainSubstring(rec.Documents[0].ID), ContainSubstring("came back after 2s of 5s")))
}
