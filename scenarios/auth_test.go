package scenarios_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/auth"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/wire"
	"github.com/acsemu/acsemu/scenarios/match"
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
		doc api.Document
	)
	BeforeEach(func(ctx SpecContext) {
		clk = clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
		srv = startEmulator(emulator.Options{Clock: clk})
		rec, err := srv.Control().CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(2 * time.Second), NoEvent: true})
		Expect(err).NotTo(HaveOccurred())
		doc = rec.Documents[0]
	})

	// lastVerdict polls: the emulator journals a request once its handler
	// returns, which may be just after the client read the answer.
	lastVerdict := func(ctx SpecContext) *journal.Auth {
		GinkgoHelper()
		var es []journal.Entry
		Eventually(func(g Gomega) {
			var err error
			es, err = srv.Control().Requests(ctx, api.RequestFilter{Plane: journal.PlaneData, Limit: 1})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(es).To(HaveLen(1))
		}).WithTimeout(journalTimeout).Should(Succeed())
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
		rec, err := strict.Control().CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true})
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

// signAs signs req by hand, as an SDK would: the given date header, host and
// path-and-query in the string to sign, over an empty body.
func signAs(req *http.Request, key []byte, now time.Time, dateHeader, host, pathAndQuery string) {
	date := now.UTC().Format(http.TimeFormat)
	hash := sha256.Sum256(nil)
	contentHash := base64.StdEncoding.EncodeToString(hash[:])
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s\n%s\n%s;%s;%s", req.Method, pathAndQuery, date, host, contentHash)
	req.Header.Set(dateHeader, date)
	req.Header.Set("x-ms-content-sha256", contentHash)
	req.Header.Set("Authorization", fmt.Sprintf("HMAC-SHA256 SignedHeaders=%s;host;x-ms-content-sha256&Signature=%s",
		strings.ToLower(dateHeader), base64.StdEncoding.EncodeToString(mac.Sum(nil))))
}

var _ = Describe("Signatures of the official SDKs and their failures", Label("area:auth"), func() {
	var (
		srv *emulator.Server
		clk *clock.Manual
		doc api.Document
		cs  signer.ConnectionString
	)
	BeforeEach(func(ctx SpecContext) {
		clk = clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
		srv = startEmulator(emulator.Options{Clock: clk})
		doc = createRecording(ctx, srv, api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true}).Documents[0]
		var err error
		cs, err = signer.ParseConnectionString(srv.ConnectionString())
		Expect(err).NotTo(HaveOccurred())
	})

	// verdict is the journal's auth verdict of the last data-plane request.
	verdict := func() *journal.Auth {
		GinkgoHelper()
		var es []journal.Entry
		Eventually(func() []journal.Entry {
			es = srv.Journal().Query(journal.Filter{Plane: journal.PlaneData})
			return es
		}).WithTimeout(journalTimeout).ShouldNot(BeEmpty())
		return es[len(es)-1].Auth
	}

	DescribeTable("accepts what each official SDK signs and names the variant",
		func(sign func(*http.Request), rng string, wantVariant string) {
			req, _ := http.NewRequest(http.MethodGet, doc.ContentLocation, nil)
			sign(req)
			if rng != "" {
				req.Header.Set("Range", rng) // never signed
			}
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(BeElementOf(http.StatusOK, http.StatusPartialContent))
			Expect(verdict()).To(And(HaveField("OK", BeTrue()), HaveField("Variant", wantVariant)))
		},
		Entry("the documented scheme (x-ms-date, host with its port)", func(r *http.Request) {
			signed, err := signer.New(cs, signer.WithClock(clk)).Sign(r, nil)
			Expect(err).NotTo(HaveOccurred())
			signed.Apply(r.Header, false)
		}, "", auth.VariantDocumented),
		Entry("the 2021 quickstart's Date header, through the reference signer", func(r *http.Request) {
			signed, err := signer.New(cs, signer.WithClock(clk), signer.WithDateHeader()).Sign(r, nil)
			Expect(err).NotTo(HaveOccurred())
			signed.Apply(r.Header, false)
		}, "", auth.VariantDocumented+auth.LegacyDateSuffix),
		Entry("the .NET and Java SDKs (host name without the port)", func(r *http.Request) {
			signAs(r, emulator.DevAccessKey, clk.Now(), "x-ms-date", r.URL.Hostname(), r.URL.RequestURI())
		}, "", auth.VariantDotnetJava),
		Entry("the Call Automation SDKs' downloads (storage on another host, signed for the endpoint in x-ms-host)", func(r *http.Request) {
			// The storage host is "localhost", the endpoint 127.0.0.1: the
			// Host sent is not the one signed.
			r.URL.Host = strings.Replace(r.URL.Host, "127.0.0.1", "localhost", 1)
			r.Host = r.URL.Host
			signed, err := signer.New(cs, signer.WithClock(clk), signer.WithACSHost(cs.Endpoint.Host),
				signer.WithAllowedHosts(signer.AllowHosts(r.URL.Host))).Sign(r, nil)
			Expect(err).NotTo(HaveOccurred())
			signed.Apply(r.Header, false)
		}, "", auth.VariantXMSHost),
		Entry("a Range added after signing (Range is never signed)", func(r *http.Request) {
			signed, err := signer.New(cs, signer.WithClock(clk)).Sign(r, nil)
			Expect(err).NotTo(HaveOccurred())
			signed.Apply(r.Header, false)
		}, "bytes=100-", auth.VariantDocumented),
	)

	DescribeTable("refuses a bad signature and records the failure kind in the journal",
		func(mutate func(*http.Request), wantFailure string) {
			req, _ := http.NewRequest(http.MethodGet, doc.ContentLocation, nil)
			signed, err := signer.New(cs, signer.WithClock(clk)).Sign(req, nil)
			Expect(err).NotTo(HaveOccurred())
			signed.Apply(req.Header, false)
			mutate(req)
			resp, body := fetch(http.DefaultClient, req.URL.String(), req.Header)
			Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
			Expect(string(body)).To(ContainSubstring(`"title":"Unauthorized"`), "the storage host's problem-details shape")
			Expect(resp.Header.Get(wire.ExplanationHeader)).NotTo(BeEmpty())
			Expect(verdict()).To(And(HaveField("OK", BeFalse()), HaveField("Failure", wantFailure)))
		},
		Entry("no Authorization header", func(r *http.Request) { r.Header.Del("Authorization") }, auth.FailMissingAuthorization),
		Entry("an Authorization header that is not HMAC-SHA256 SignedHeaders=...&Signature=...", func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer abc")
		}, auth.FailMalformedAuthorization),
		Entry("SignedHeaders that leave out host", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-ms-date;host;", "x-ms-date;", 1))
		}, auth.FailSignedHeaders),
		Entry("no x-ms-date", func(r *http.Request) { r.Header.Del("x-ms-date") }, auth.FailMissingDate),
		Entry("an x-ms-date that is not an HTTP date", func(r *http.Request) { r.Header.Set("x-ms-date", "yesterday") }, auth.FailBadDate),
		Entry("a date 20 minutes in the future", func(r *http.Request) {
			signAs(r, emulator.DevAccessKey, clk.Now().Add(20*time.Minute), "x-ms-date", r.URL.Host, r.URL.RequestURI())
		}, auth.FailClockSkew),
		Entry("a content hash that is not the empty body's", func(r *http.Request) {
			r.Header.Set("x-ms-content-sha256", base64.StdEncoding.EncodeToString(make([]byte, 32)))
		}, auth.FailContentHash),
		Entry("a signature made for another host", func(r *http.Request) {
			signAs(r, emulator.DevAccessKey, clk.Now(), "x-ms-date", "contoso.communication.azure.com", r.URL.RequestURI())
		}, auth.FailSignature),
		Entry("a signature made with another key", func(r *http.Request) {
			signAs(r, []byte("not the key"), clk.Now(), "x-ms-date", r.URL.Host, r.URL.RequestURI())
		}, auth.FailSignature),
	)

	It("refuses a Call Automation request whose body changed after signing, with the service's content-hash error", func() {
		api := srv.URL() + api.CallRecordingPath + "?api-version=" + api.CallAutomationAPIVersion
		req, _ := http.NewRequest(http.MethodPost, api, strings.NewReader(`{}`))
		signed, err := signer.New(cs, signer.WithClock(clk)).Sign(req, []byte(`{"callConnectionId":"signed"}`))
		Expect(err).NotTo(HaveOccurred())
		signed.Apply(req.Header, false)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(string(body)).To(ContainSubstring("differs from generated content hash"))
		Expect(verdict().Failure).To(Equal(auth.FailContentHash))
	})

	It("refuses a badly signed Call Automation request with the service's 7509 error", func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+api.CallRecordingPath+"/unknown?api-version="+api.CallAutomationAPIVersion, nil)
		signAs(req, []byte("not the key"), clk.Now(), "x-ms-date", req.URL.Host, req.URL.RequestURI())
		resp, body := fetch(http.DefaultClient, req.URL.String(), req.Header)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"))
		Expect(string(body)).To(MatchJSON(`{"error":{"code":"7509","message":"HMAC-SHA256 validation failed"}}`))
		Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequest(journal.Filter{Plane: journal.PlaneData, Target: journal.TargetCalling, AuthOK: "false"}))
	})
})
