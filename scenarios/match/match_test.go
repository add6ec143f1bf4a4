package match_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/scenarios/match"
)

func download(t *testing.T, c *http.Client, url, rng string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJournalMatchersSeeWhatTheClientDid(t *testing.T) {
	g := NewWithT(t)
	srv := emulatortest.Start(t, emulator.Options{})
	rec, err := srv.Control().CreateRecording(t.Context(), api.RecordingSpec{Duration: api.Duration(3 * time.Second), ChunkSizeLimit: 40_000, NoEvent: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(len(rec.Documents)).To(BeNumerically(">", 1))
	cs, _ := signer.ParseConnectionString(srv.ConnectionString())
	c := signer.New(cs).Client()

	first := rec.Documents[0]
	head := download(t, c, first.ContentLocation, "bytes=0-999")
	g.Expect(srv).NotTo(match.HaveDownloadedOnce(rec), "nothing complete yet")
	tail := download(t, c, first.ContentLocation, "bytes=1000-")
	// The emulator journals a request once its handler returns, which may be
	// just after the client read the last byte: poll, as a user's test should.
	g.Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequest(match.ResumedAt(first.ID, 1000)))
	g.Expect(srv.Control()).To(match.HaveRequestCount(match.ResumedAt(first.ID, 1000), 1), "through the control plane too")
	g.Expect(srv).NotTo(match.HaveRequest(match.ResumedAt(first.ID, 999)))
	for _, d := range rec.Documents[1:] {
		download(t, c, d.ContentLocation, "")
	}
	g.Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(rec))
	download(t, c, first.ContentLocation, "")
	g.Eventually(srv).WithTimeout(journalTimeout).ShouldNot(match.HaveDownloadedOnce(rec), "a second full download is one too many")

	path := filepath.Join(t.TempDir(), "chunk0")
	g.Expect(os.WriteFile(path, append(head, tail...), 0o600)).To(Succeed())
	g.Expect(path).To(match.BeFileWithSHA256(first.SHA256))
	sum := sha256.Sum256(head)
	g.Expect(path).NotTo(match.BeFileWithSHA256(hex.EncodeToString(sum[:])))
}
