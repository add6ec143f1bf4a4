package scenarios_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/download"
	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/scenarios/match"
)

// onDisk is a transport that notes, for every media request, the Range it
// asks and the size of the partial file at that moment: what "the bytes on
// disk" were when the client resumed.
type onDisk struct {
	base    http.RoundTripper
	partial string
	mu      sync.Mutex
	seen    []string // "<Range>|<bytes on disk>"
}

func (o *onDisk) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/content/") && !strings.HasSuffix(r.URL.Path, "/acsmetadata") {
		var size int64
		if fi, err := os.Stat(o.partial); err == nil {
			size = fi.Size()
		}
		o.mu.Lock()
		o.seen = append(o.seen, r.Header.Get("Range")+"|"+strconv.FormatInt(size, 10))
		o.mu.Unlock()
	}
	return o.base.RoundTrip(r)
}

// expectRangesFromDisk checks that every request asked for the bytes after
// those on disk (and a request without Range had none).
func (o *onDisk) expectRangesFromDisk() {
	GinkgoHelper()
	o.mu.Lock()
	defer o.mu.Unlock()
	Expect(len(o.seen)).To(BeNumerically(">=", 2), "the fault never made the client come back: %v", o.seen)
	for _, s := range o.seen {
		rng, size, _ := strings.Cut(s, "|")
		if rng == "" {
			Expect(size).To(Equal("0"), "a request without Range while bytes were on disk: %v", o.seen)
		} else {
			Expect(rng).To(Equal("bytes="+size+"-"), "a Range that is not the bytes on disk: %v", o.seen)
		}
	}
}

// resumeRig is an emulator on a manual clock, a one-chunk recording and the
// reference downloader, whose retry waits advance the clock.
type resumeRig struct {
	srv   *emulator.Server
	clk   *clock.Manual
	rec   api.Recording
	doc   api.Document
	dir   string
	sleep *advancingSleep
	disk  *onDisk
}

func newResumeRig(ctx context.Context) *resumeRig {
	GinkgoHelper()
	r := &resumeRig{clk: manualClock(), dir: GinkgoT().TempDir()}
	r.srv = startEmulator(emulator.Options{Seed: 40, Clock: r.clk})
	r.rec = createRecording(ctx, r.srv, api.RecordingSpec{Duration: api.Duration(5 * time.Second), NoEvent: true})
	Expect(r.rec.Documents).To(HaveLen(1))
	r.doc = r.rec.Documents[0]
	r.sleep = &advancingSleep{clk: r.clk}
	tr := &http.Transport{}
	DeferCleanup(tr.CloseIdleConnections)
	r.disk = &onDisk{base: tr, partial: filepath.Join(r.dir, r.doc.ID+".media.partial")}
	return r
}

// downloader makes a reference downloader into the rig's folder.
func (r *resumeRig) downloader(state download.PartialState, stallTimeout time.Duration) *download.Downloader {
	GinkgoHelper()
	cs, err := signer.ParseConnectionString(r.srv.ConnectionString())
	Expect(err).NotTo(HaveOccurred())
	d, err := download.New(cs, download.Options{Dir: r.dir, State: state, Transport: r.disk, Clock: r.clk,
		Sleep: r.sleep.sleep, StallTimeout: stallTimeout, Seed: 1})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(d.Close)
	return d
}

func (r *resumeRig) job() jobs.Job {
	return jobs.Job{DocumentID: r.doc.ID, Format: "wav", ContentLocation: r.doc.ContentLocation,
		MetadataLocation: r.doc.MetadataLocation, DeleteLocation: r.doc.DeleteLocation}
}

func (r *resumeRig) expectFiles() {
	GinkgoHelper()
	Expect(filepath.Join(r.dir, r.doc.ID+".wav")).To(match.BeFileWithSHA256(r.doc.SHA256))
	Expect(filepath.Join(r.dir, r.doc.ID+".metadata.json")).To(match.BeFileWithSHA256(r.doc.MetadataSHA256))
	Expect(filepath.Glob(filepath.Join(r.dir, "*.partial"))).To(BeEmpty())
}

const cutRule = `{"id":"cut","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterPercent":35}}`

// stallTimeoutFor is the downloader's stall watchdog for a table entry. The
// watchdog runs on the wall clock, so a short one can fire on a healthy
// request that a loaded CI machine pauses (a spurious retry, then a second
// download of the same bytes): only the entry with a stall fault, which
// holds the body for 30 s, needs one short enough to notice it.
func stallTimeoutFor(rules string) time.Duration {
	if strings.Contains(rules, `"type":"stall"`) {
		return time.Second
	}
	return time.Minute
}

func percent(p int64) func(int64) int64 { return func(size int64) int64 { return size * p / 100 } }
func bytesAt(n int64) func(int64) int64 { return func(int64) int64 { return n } }

var _ = Describe("Resumable downloads", Label("area:resume"), func() {
	DescribeTable("the reference downloader finishes with the right SHA-256 after a download fault",
		func(ctx SpecContext, rules string, onDiskAt func(size int64) int64, resumedStatus int, restarts bool, retryAfter time.Duration) {
			r := newResumeRig(ctx)
			installed, err := r.srv.Control().AddFaultsJSON(ctx, []byte(rules))
			Expect(err).NotTo(HaveOccurred())
			res, err := r.downloader(nil, stallTimeoutFor(rules)).Document(ctx, r.job())
			Expect(err).NotTo(HaveOccurred())
			r.expectFiles()

			By("resuming exactly at the bytes on disk, as the journal shows")
			r.disk.expectRangesFromDisk()
			resumed := match.ResumedAt(r.doc.ID, onDiskAt(r.doc.Size))
			resumed.Status = resumedStatus
			Eventually(r.srv).WithTimeout(journalTimeout).Should(match.HaveRequest(resumed))
			for _, rule := range installed {
				Eventually(r.srv).WithTimeout(journalTimeout).Should(match.HaveRequest(
					api.RequestFilter{DocumentID: r.doc.ID, Fault: rule.Rule.ID + " "}), "rule %s fired", rule.Rule.ID)
			}

			By("never coming back before a Retry-After")
			Expect(r.srv).To(match.HaveNoRetryAfterViolations())
			Expect(r.sleep.total()).To(BeNumerically(">=", retryAfter))

			if restarts {
				Expect(res.Files[0].Restarts).To(Equal(1), "the file starts over once: %+v", res.Files[0])
			} else {
				Expect(res.Files[0].Restarts).To(BeZero())
				Eventually(r.srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(r.rec))
			}
		},
		Entry("resumes from the exact byte after a connection reset", "["+cutRule+"]", percent(35), 206, false, time.Duration(0)),
		Entry("resumes after a connection reset at the first byte",
			`[{"id":"cut","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterBytes":1}}]`, bytesAt(1), 206, false, time.Duration(0)),
		Entry("resumes after two resets in a row",
			`[{"id":"cut","match":{"target":"media"},"when":{"times":2},"action":{"type":"reset","afterPercent":30}}]`, func(s int64) int64 { return s*30/100 + (s-s*30/100)*30/100 }, 206, false, time.Duration(0)),
		Entry("resumes after a body cut short by a clean close (truncated)",
			`[{"id":"trunc","match":{"target":"media"},"when":{"times":1},"action":{"type":"truncate","afterPercent":60}}]`, percent(60), 206, false, time.Duration(0)),
		Entry("resumes from the bytes it got when the connection stalls",
			`[{"id":"stall","match":{"target":"media"},"when":{"times":1},"action":{"type":"stall","afterBytes":30000,"duration":"30s"}}]`, bytesAt(30000), 206, false, time.Duration(0)),
		Entry("waits out a 503's Retry-After, then resumes where the reset left it",
			"["+cutRule+`,{"id":"busy","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"status","status":503,"retryAfter":2}}]`, percent(35), 206, false, 2*time.Second),
		Entry("honours a Retry-After given as an HTTP date on a 429",
			"["+cutRule+`,{"id":"busy","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"status","status":429,"retryAfter":5,"retryAfterAsDate":true}}]`, percent(35), 206, false, 4*time.Second),
		Entry("starts over cleanly when the server ignores Range and sends the whole file",
			"["+cutRule+`,{"id":"norange","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"ignore-range"}}]`, percent(35), 200, true, time.Duration(0)),
		// The storage sends no ETag by default (as recorded), so there is no If-Range:
		// the 206 carrying an ETag the first answer did not have is what tells.
		Entry("starts over when the ETag changed between the reset and the resume",
			"["+cutRule+`,{"id":"etag","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"etag-change"}}]`, percent(35), 206, true, time.Duration(0)),
		Entry("starts over rather than append a 206 whose Content-Range is not the bytes asked",
			"["+cutRule+`,{"id":"shift","match":{"target":"media","range":"present"},"when":{"times":1},"action":{"type":"wrong-content-range","shift":1}}]`, percent(35), 206, true, time.Duration(0)),
	)

	It("resumes a partial file left by a previous process from the bytes on disk", func(ctx SpecContext) {
		r := newResumeRig(ctx)
		_, err := r.srv.Control().AddFaultsJSON(ctx, []byte(
			`{"id":"hang","match":{"target":"media"},"when":{"times":1},"action":{"type":"stall","afterBytes":40000,"duration":"5m"}}`))
		Expect(err).NotTo(HaveOccurred())
		state := filepath.Join(GinkgoT().TempDir(), "jobs.db")

		By("a first process that is stopped in the middle of the download")
		store, err := jobs.Open(state, jobs.Options{})
		Expect(err).NotTo(HaveOccurred())
		first := r.downloader(store, time.Minute)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { _, err := first.Document(runCtx, r.job()); done <- err }()
		Eventually(func() (int64, error) {
			fi, err := os.Stat(r.disk.partial)
			if err != nil {
				return 0, err
			}
			return fi.Size(), nil
		}).WithTimeout(downloadTimeout).Should(BeEquivalentTo(40000))
		stop()
		Eventually(done).WithTimeout(downloadTimeout).Should(Receive(HaveOccurred()))
		Expect(first.Close()).To(Succeed())
		Expect(store.Close()).To(Succeed())

		By("a second process that opens the same job store and folder")
		store, err = jobs.Open(state, jobs.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(store.Close)
		res, err := r.downloader(store, time.Minute).Document(ctx, r.job())
		Expect(err).NotTo(HaveOccurred())
		r.expectFiles()
		Expect(res.Files[0].Resumed).To(Equal(1))
		Eventually(r.srv).WithTimeout(journalTimeout).Should(match.HaveRequest(match.ResumedAt(r.doc.ID, 40000)))
		Eventually(r.srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(r.rec))
		r.disk.expectRangesFromDisk()
	})
})
