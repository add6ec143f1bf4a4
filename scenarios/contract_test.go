package scenarios_test

import (
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/acsemu/acsemu/contract"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/fixtures/brokenhooks"
)

// Contract mode against your own webhook:
//
//	go tool ginkgo --label-filter=area:contract ./scenarios -- --webhook=http://127.0.0.1:8080/api/events
//
// starts an emulator on --emulator-addr (configure your app with the
// connection string in the log) and reports one spec per check.
var (
	contractWebhook = flag.String("webhook", "", "contract-test this webhook URL (area:contract); without it the contract specs run against test fixtures")
	contractOutput  = flag.String("output", "", "with --webhook: the folder your code writes recordings to, compared with the service's SHA-256")
	contractAddr    = flag.String("emulator-addr", emulator.DefaultAddr, "with --webhook: the emulator's listen address")
)

// contractConfig keeps the fixture runs short: the fixtures answer in
// milliseconds, so a short quiet period is enough to see a second download.
func contractConfig(srv *emulator.Server, webhook, out string) contract.Config {
	return contract.Config{Control: srv.Control(), Webhook: webhook, OutputDir: out,
		Timeout: 20 * time.Second, Quiet: 300 * time.Millisecond, WaitForWebhook: 10 * time.Second}
}

// reportText is the human report, to show with a failed assertion.
func reportText(rep contract.Report) string {
	var b strings.Builder
	_ = rep.WriteText(&b)
	return b.String()
}

// verdicts maps each check to its verdict.
func verdicts(rep contract.Report) map[string]contract.Verdict {
	out := map[string]contract.Verdict{}
	for _, r := range rep.Results {
		out[r.ID] = r.Verdict
	}
	return out
}

// allPass is the report of a correct client; cloudEvents is the verdict of the
// CloudEvents handshake (the fixtures do not implement it).
func allPass(cloudEvents contract.Verdict) map[string]contract.Verdict {
	out := map[string]contract.Verdict{}
	for _, c := range contract.Checks {
		out[c.ID] = contract.Pass
	}
	out[contract.CheckCloudEvents] = cloudEvents
	// Run only when the app uses Entra ID delivery auth or handles callbacks.
	out[contract.CheckTokenFaults], out[contract.CheckForgedCallback] = contract.Skipped, contract.Skipped
	return out
}

// startAcsrec builds cmd/acsrec and runs `acsrec serve` for srv on a free
// port, with its defaults and extra flags; it returns the webhook URL to
// subscribe and the output folder.
func startAcsrec(srv *emulator.Server, extra ...string) (string, string) {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	bin := filepath.Join(dir, "acsrec")
	build := exec.Command("go", "build", "-o", bin, "github.com/acsemu/acsemu/cmd/acsrec")
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	recs := filepath.Join(dir, "recordings")
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--out", recs, "--progress", "off"}, extra...)...)
	cmd.Env = append(os.Environ(), "ACSREC_CONNECTION_STRING="+srv.ConnectionString())
	session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { session.Interrupt().Wait(15 * time.Second) })
	Eventually(session.Err).WithTimeout(15 * time.Second).Should(gbytes.Say(`msg="acsrec serving"`))
	// With its defaults acsrec generates a secret and prints the URL to
	// subscribe; with a token issuer it needs no secret.
	if m := regexp.MustCompile(`Subscribe Event Grid to:\s+(http://\S+)`).FindSubmatch(session.Err.Contents()); m != nil {
		return string(m[1]), recs
	}
	m := regexp.MustCompile(`webhook=(http://\S+)`).FindSubmatch(session.Err.Contents())
	Expect(m).NotTo(BeNil(), "acsrec did not log its webhook URL")
	return string(m[1]), recs
}

// describeContract declares the contract specs once the flags are parsed
// (TestScenarios calls it before RunSpecs): with --webhook, one spec per check
// against the user's webhook; without it, the specs that prove the checks
// right against the reference client and deliberately broken webhooks.
func describeContract() bool {
	if *contractWebhook != "" {
		return describeYourWebhook()
	}
	return describeFixtures()
}

func describeYourWebhook() bool {
	return Describe("Contract mode against your webhook (--webhook=URL)", Label("area:contract"), Ordered, ContinueOnFailure, func() {
		var rep contract.Report
		BeforeAll(func(ctx SpecContext) {
			srv := startEmulator(emulator.Options{Addr: *contractAddr, Seed: 1})
			GinkgoWriter.Printf("emulator on %s; connection string %s\n", srv.URL(), srv.ConnectionString())
			var err error
			rep, err = contract.Run(ctx, contract.Config{Control: srv.Control(), Webhook: *contractWebhook,
				OutputDir: *contractOutput, WaitForWebhook: 30 * time.Second})
			Expect(err).NotTo(HaveOccurred())
			AddReportEntry("contract report", reportText(rep))
		}, NodeTimeout(5*time.Minute))

		for _, c := range contract.Checks {
			It(c.Title, func() {
				res, ok := rep.Result(c.ID)
				Expect(ok).To(BeTrue())
				if res.Verdict == contract.Skipped || res.Verdict == contract.NotApplicable || res.Verdict == contract.Waived {
					Skip(res.Message)
				}
				if res.Verdict == contract.Fail {
					Fail(strings.Join(append([]string{res.Message}, res.Details...), "\n"))
				}
			})
		}
	})

}

func describeFixtures() bool {
	return Describe("Contract mode against the reference client and deliberately broken webhooks", Label("area:contract"), func() {
		It("passes every check against acsrec serve", func(ctx SpecContext) {
			srv := startEmulator(emulator.Options{Seed: 1})
			webhook, out := startAcsrec(srv)
			rep, err := contract.Run(ctx, contractConfig(srv, webhook, out))
			Expect(err).NotTo(HaveOccurred())
			Expect(verdicts(rep)).To(Equal(allPass(contract.Pass)), reportText(rep))
			Expect(rep.Failed()).To(BeEmpty())
		}, NodeTimeout(2*time.Minute))

		It("passes the token and callback checks against acsrec serve with Entra ID auth and callbacks", func(ctx SpecContext) {
			srv := startEmulator(emulator.Options{Seed: 1})
			webhook, out := startAcsrec(srv, "--oidc-issuer", srv.URL(), "--oidc-audience", "api://acsrec", "--callback-audience", srv.ResourceImmutableID())
			base := strings.TrimSuffix(webhook, "/")
			cfg := contractConfig(srv, webhook, out)
			cfg.EntraAudience, cfg.CallbackURL = "api://acsrec", base+"/callbacks"
			rep, err := contract.Run(ctx, cfg)
			Expect(err).NotTo(HaveOccurred())
			want := allPass(contract.Pass)
			want[contract.CheckTokenFaults], want[contract.CheckForgedCallback] = contract.Pass, contract.Pass
			Expect(verdicts(rep)).To(Equal(want), reportText(rep))
		}, NodeTimeout(2*time.Minute))

		DescribeTable("fails exactly one check, with a message saying what to fix, against a webhook that",
			func(ctx SpecContext, flaw brokenhooks.Flaw, check, message string) {
				srv := startEmulator(emulator.Options{Seed: 1})
				out := GinkgoT().TempDir()
				hook, err := brokenhooks.New(flaw, srv.ConnectionString(), out)
				Expect(err).NotTo(HaveOccurred())
				hs := httptest.NewServer(hook)
				DeferCleanup(hook.Close)
				DeferCleanup(hs.Close)

				cfg := contractConfig(srv, hs.URL+"/api/events?code="+brokenhooks.Secret, out)
				// The token flaws need a hook that checks tokens and callbacks.
				tokenFlaw := flaw == brokenhooks.AcceptsAnyToken || flaw == brokenhooks.AcceptsForgedCallback
				if tokenFlaw {
					hook.RequireTokens(srv.URL(), "api://brokenhook")
					hook.HandleCallbacks(srv.URL(), srv.ResourceImmutableID())
					cfg.EntraAudience, cfg.CallbackURL = "api://brokenhook", hs.URL+"/callbacks"
				}
				rep, err := contract.Run(ctx, cfg)
				Expect(err).NotTo(HaveOccurred())
				want := allPass(contract.Info)
				if tokenFlaw {
					want[contract.CheckTokenFaults], want[contract.CheckForgedCallback] = contract.Pass, contract.Pass
				}
				want[check] = contract.Fail
				Expect(verdicts(rep)).To(Equal(want), reportText(rep))
				res, _ := rep.Result(check)
				Expect(res.Message).To(MatchRegexp(message))
			},
			Entry("ignores the validation event", brokenhooks.IgnoresValidation, contract.CheckValidation,
				`^your webhook answered 200 to the validation event without \{"validationResponse": "[0-9a-f-]{36}"\} in its body; `+
					`Event Grid would leave the subscription AwaitingManualAction`),
			Entry("re-downloads from zero after a connection reset", brokenhooks.RestartsFromZero, contract.CheckResume,
				`^after the connection reset at byte 163840 your client asked for bytes=0- instead of bytes=163840-: it re-downloaded 163840 bytes$`),
			Entry("ignores Retry-After", brokenhooks.IgnoresRetryAfter, contract.CheckRetryAfter,
				`^after a 503 with Retry-After: 2 your client came back after 0\.\d\d s instead of waiting 2 s`),
			Entry("downloads twice when an event is delivered twice", brokenhooks.DownloadsTwiceOnDuplicate, contract.CheckDuplicate,
				`^the recording event was delivered twice \(same event id; Event Grid delivers at least once\) and your client downloaded `+
					`chunk 0 \(0-eus-[0-9a-z-]+\) again: 819200 bytes for a 409600-byte file`),
			Entry("accepts a delivery without its secret", brokenhooks.AcceptsWithoutSecret, contract.CheckRefusesUnauthenticated,
				`^your webhook answered 200 to a delivery without the \?code= secret of the subscription URL and then downloaded the recording it named: `),
			Entry("signs and fetches any host an event names", brokenhooks.SignsAnyHost, contract.CheckForeignHost,
				`^LEAKED SIGNATURE: your client sent an HMAC-signed request \(GET /v1/objects/0-eus-[0-9a-z-]+/content/audio\) to http://127\.0\.0\.1:\d+, `+
					`a host named by an event but not the storage host`),
			Entry("accepts any bearer token", brokenhooks.AcceptsAnyToken, contract.CheckTokenFaults,
				`^your webhook accepted a delivery whose bearer token was expired and downloaded the recording \(GET /v1/objects/0-eus-[0-9a-z-]+/`),
			Entry("accepts a callback with a forged JWT", brokenhooks.AcceptsForgedCallback, contract.CheckForgedCallback,
				`^your app answered 200 to a Call Automation callback whose JWT was signed by a key not in the issuer's JWKS: `),
			Entry("trusts locations that name another document", brokenhooks.TrustsLocations, contract.CheckOtherDocument,
				`^your client acted on an event for document 0-eus-[0-9a-z-]+ whose locations named document 0-eus-[0-9a-z-]+: it requested `),
		)
	})
}
