package scenarios_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/acsemu/acsemu/contract"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/fixtures/brokenhooks"
)

// buildBinary builds a command of this module into a temporary folder.
func buildBinary(pkg string) string {
	GinkgoHelper()
	bin := filepath.Join(GinkgoT().TempDir(), filepath.Base(pkg))
	out, err := exec.Command("go", "build", "-o", bin, "github.com/acsemu/acsemu/"+pkg).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	return bin
}

// startBrokenhook runs the brokenhook command (a real process, which can
// crash) and returns its webhook URL.
func startBrokenhook(bin string, env []string, args ...string) (*gexec.Session, string) {
	GinkgoHelper()
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { session.Kill().Wait(10 * time.Second) })
	Eventually(session.Err).WithTimeout(15 * time.Second).Should(gbytes.Say(`listening on (http://\S+/)`))
	m := regexp.MustCompile(`listening on (http://\S+/)`).FindSubmatch(session.Err.Contents())
	return session, string(m[1]) + "api/events?code=" + brokenhooks.Secret
}

// freeAddr is a loopback address with a port free right now, for an emulator
// whose address an app must know before it starts.
func freeAddr() string {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	return ln.Addr().String()
}

var _ = Describe("Contract mode judges real-world apps", Label("area:contract"), func() {
	It("says once that an app never downloads, marks the download checks not applicable and ends soon after the last delivery", func(ctx SpecContext) {
		srv := startEmulator(emulator.Options{Seed: 1})
		hook, err := brokenhooks.New(brokenhooks.NeverDownloads, srv.ConnectionString(), "")
		Expect(err).NotTo(HaveOccurred())
		var lastDelivery atomic.Int64 // unix nanoseconds of the last event POST answered
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hook.ServeHTTP(w, r)
			if r.Method == http.MethodPost {
				lastDelivery.Store(time.Now().UnixNano())
			}
		}))
		DeferCleanup(hook.Close)
		DeferCleanup(hs.Close)

		cfg := contractConfig(srv, hs.URL+"/api/events?code="+brokenhooks.Secret, GinkgoT().TempDir())
		cfg.Idle = 0 // the default, which the 10 s promise rests on
		rep, err := contract.Run(ctx, cfg)
		Expect(err).NotTo(HaveOccurred())
		Expect(rep.RootCause).To(HavePrefix("download-once: no download request arrived at the emulator during the run"))
		Expect(rep.Failed()).To(HaveLen(1), reportText(rep))
		Expect(rep.Failed()[0].ID).To(Equal(contract.CheckDownloadOnce))
		for _, c := range contract.Checks {
			res, _ := rep.Result(c.ID)
			if c.NeedsDownloads {
				Expect(res.Verdict).To(Equal(contract.NotApplicable), c.ID)
				Expect(res.Message).To(Equal("not applicable: no download request arrived (root cause: download-once)"))
			}
		}
		res, _ := rep.Result(contract.CheckFastAnswer)
		Expect(res.Verdict).To(Equal(contract.Pass))

		end := rep.Started.Add(rep.Duration)
		Expect(end.Sub(time.Unix(0, lastDelivery.Load()))).To(BeNumerically("<=", 10*time.Second),
			"the run must end within 10 s of the last delivery when no download comes")
	}, NodeTimeout(2*time.Minute))

	It("names the crash of a webhook that dies on a storage error, and the fault before it", func(ctx SpecContext) {
		srv := startEmulator(emulator.Options{Seed: 1})
		session, webhook := startBrokenhook(buildBinary("fixtures/brokenhooks/cmd/brokenhook"),
			[]string{"ACS_CONNECTION_STRING=" + srv.ConnectionString()}, "--flaw", "crashes-on-storage-error")

		rep, err := contract.Run(ctx, contractConfig(srv, webhook, ""))
		Expect(err).NotTo(HaveOccurred())
		Eventually(session).WithTimeout(10 * time.Second).Should(gexec.Exit(1))
		res, _ := rep.Result(contract.CheckAlive)
		Expect(res.Verdict).To(Equal(contract.Fail), reportText(rep))
		Expect(res.Message).To(MatchRegexp(`^your webhook stopped accepting connections: the process crashed or exited, right after the storage answered ` +
			`GET /v1/objects/\S+/content/audio \(bytes=0-\) -> 503, 0 bytes \[acsemu-contract-retry-after status: answered 503 with Retry-After: 2\]`))
		Expect(rep.RootCause).To(HavePrefix("webhook-alive: your webhook stopped accepting connections"))
		Expect(rep.Failed()).To(HaveLen(1), reportText(rep))
		dup, _ := rep.Result(contract.CheckDuplicate)
		Expect(dup.Verdict).To(Equal(contract.NotApplicable))
	}, NodeTimeout(2*time.Minute))

	It("passes over TLS with one host-name flag an app that read the persistent CA at its start, before the emulator", func(ctx SpecContext) {
		const storageHost = "us-storage.asm.skype.com"
		acsemu, hookBin := buildBinary("cmd/acsemu"), buildBinary("fixtures/brokenhooks/cmd/brokenhook")
		caDir := filepath.Join(GinkgoT().TempDir(), "acsemu-ca")
		out, err := exec.Command(acsemu, "ca", "--dir", caDir).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("created the CA in " + caDir))

		// The app starts first, reads the CA once and knows the
		// emulator's address in advance (as with the default 10900). The
		// storage host resolves to loopback through its own dialer: a test
		// cannot edit /etc/hosts.
		addr, recordings := freeAddr(), GinkgoT().TempDir()
		_, webhook := startBrokenhook(hookBin, []string{
			"ACS_CONNECTION_STRING=endpoint=https://" + addr + "/;accesskey=" + emulator.DevAccessKeyBase64,
			"NODE_EXTRA_CA_CERTS=" + filepath.Join(caDir, "ca.pem"),
		}, "--resolve", storageHost+"=127.0.0.1", "--out", recordings)

		cmd := exec.Command(acsemu, "contract", "--tls", "--ca-dir", caDir, "--storage-host", storageHost,
			"--addr", addr, "--webhook", webhook, "--output", recordings, "--quiet", "300ms")
		session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { session.Kill().Wait(10 * time.Second) })
		Eventually(session).WithTimeout(90 * time.Second).Should(gexec.Exit(0))
		report := string(session.Out.Contents())
		Expect(report).To(ContainSubstring("NODE_EXTRA_CA_CERTS=" + filepath.Join(caDir, "ca.pem")))
		Expect(report).To(ContainSubstring("hosts file line (/etc/hosts"))
		Expect(report).To(ContainSubstring("127.0.0.1 " + storageHost))
		Expect(report).To(MatchRegexp(`PASS\s+downloads a recording it is told about`))
		Expect(report).To(MatchRegexp(`PASS\s+writes files whose SHA-256 matches the service's`))
		Expect(report).To(MatchRegexp(`PASS\s+resumes from the exact byte after a connection reset\n.*\n\s+- GET /v1/objects/`))
		Expect(report).To(MatchRegexp(`\n13 passed, 0 failed, 1 informational, 2 skipped in `))
	}, NodeTimeout(3*time.Minute))
})
