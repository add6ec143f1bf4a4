package scenarios_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/clock"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/wire"
)

// seedSample signs a request exactly as the 2021 quickstart's C# AddHmacHeaders
// does: Date header, host = uri.Authority, path and query as sent.
func seedSample(req *http.Request, key []byte, now time.Time) {
	date := now.UTC().Format(http.TimeFormat)
	hash := sha256.Sum256(nil)
	contentHash := base64.StdEncoding.EncodeToString(hash[:])
	sts := fmt.Sprintf("%s\n%s\n%s;%s;%s", req.Method, req.URL.RequestURI(), date, req.URL.Host, contentHash)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(sts))
	req.Header.Set("x-ms-content-sha256", contentHash)
	req.Header.Set("Date", date)
	req.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=date;host;x-ms-content-sha256&Signature="+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

var _ = Describe("Signed requests", Label("area:auth"), func() {
	var (
		srv *emulator.Server
		clk *clock.Manual
		doc control.Document
	)
	BeforeEach(func(ctx SpecContext) {
		clk = clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
		srv = startEmulator(emulator.Options{Clock: clk})
		rec, err := srv.Control().CreateRecording(ctx, control.RecordingSpec{Duration: control.Duration(2 * time.Second), NoEvent: true})
		Expect(err).NotTo(HaveOccurred())
		doc = rec.Documents[0]
	})

	lastVerdict := func(ctx SpecContext) *journal.Auth {
		es, err := srv.Control().Requests(ctx, control.RequestFilter{Plane: journal.PlaneData, Limit: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(es).To(HaveLen(1))
		return es[0].Auth
	}

	It("accepts the 2021 quickstart's sample as written, which signs Date", func(ctx SpecContext) {
		req, _ := http.NewRequest(http.MethodGet, doc.PreviewContentURL, nil)
		seedSample(req, emulator.DevAccessKey, clk.Now())
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(lastVerdict(ctx).Variant).To(ContainSubstring("+date"))
	})

	It("refuses the quickstart's Date variant in strict mode, naming the signed headers", func(ctx SpecContext) {
		strict := startEmulator(emulator.Options{Clock: clk, StrictAuth: true})
		rec, err := strict.Control().CreateRecording(ctx, control.RecordingSpec{Duration: control.Duration(time.Second), NoEvent: true})
		Expect(err).NotTo(HaveOccurred())
		req, _ := http.NewRequest(http.MethodGet, rec.Documents[0].PreviewContentURL, nil)
		seedSample(req, emulator.DevAccessKey, clk.Now())
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(resp.Header.Get(wire.ExplanationHeader)).NotTo(BeEmpty())
	})

	DescribeTable("rejects a bad signature with the real body and says why",
		func(ctx SpecContext, mutate func(*http.Request), storage bool, wantBody, wantWhy string) {
			target := doc.PreviewContentURL
			if storage {
				target = doc.ContentLocation
			}
			cs, _ := signer.ParseConnectionString(srv.ConnectionString())
			tr := signer.New(cs, signer.WithClock(clk), signer.WithDebug())
			req, _ := http.NewRequest(http.MethodGet, target, nil)
			signed, err := tr.Sign(req, nil)
			Expect(err).NotTo(HaveOccurred())
			signed.Apply(req.Header, true)
			mutate(req)
			resp, body := fetch(http.DefaultClient, req.URL.String(), req.Header)
			Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
			Expect(string(body)).To(ContainSubstring(wantBody))
			Expect(resp.Header.Get(wire.ExplanationHeader)).To(ContainSubstring(wantWhy))
			Expect(lastVerdict(ctx).Explanation).To(ContainSubstring(wantWhy))
		},
		Entry("missing Authorization", func(r *http.Request) { r.Header.Del("Authorization") }, false, `"code":"7509"`, "Authorization"),
		Entry("missing x-ms-date", func(r *http.Request) { r.Header.Del("x-ms-date") }, false, `"code":"7509"`, "x-ms-date"),
		Entry("a date 20 minutes old", func(r *http.Request) {
			r.Header.Set("x-ms-date", time.Date(2025, 7, 1, 11, 40, 0, 0, time.UTC).Format(http.TimeFormat))
		}, false, `"code":"7509"`, "20m"),
		Entry("a content hash that is not the body's", func(r *http.Request) {
			r.Header.Set("x-ms-content-sha256", base64.StdEncoding.EncodeToString(make([]byte, 32)))
		}, false, "differs from generated content hash", "content"),
		Entry("a changed path (storage shape)", func(r *http.Request) {
			r.URL.Path = r.URL.Path[:len(r.URL.Path)-len("audio")] + "video"
		}, true, `"title":"Unauthorized"`, "path"),
		Entry("a changed query", func(r *http.Request) {
			r.URL.RawQuery = url.Values{"api-version": {"2021-04-15-preview1"}, "x": {"1"}}.Encode()
		}, false, `"code":"7509"`, "query"),
		Entry("another key", func(r *http.Request) {
			r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="+base64.StdEncoding.EncodeToString(make([]byte, 32)))
		}, false, `"code":"7509"`, "key"),
	)

	It("accepts a request signed within the allowed skew and dated by the emulator clock", func() {
		clk.Advance(14 * time.Minute) // the client clock lags 14 minutes
		req, _ := http.NewRequest(http.MethodGet, doc.ContentLocation, nil)
		cs, _ := signer.ParseConnectionString(srv.ConnectionString())
		lagging := clock.NewManual(clk.Now().Add(-14 * time.Minute))
		resp, _ := fetch(signer.New(cs, signer.WithClock(lagging)).Client(), req.URL.String(), nil)
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
	})
})
