package match_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/scenarios/match"
)

// journalTimeout bounds the wait for a request to reach the journal, which
// happens as its answer ends, a moment after the client read the last byte.
// Generous for a loaded CI machine: a passing wait takes milliseconds.
const journalTimeout = 10 * time.Second

// Assert on what a client did on the wire: it resumed a chunk at byte 1000
// and, in the end, downloaded every chunk exactly once.
func Example() {
	srv, _ := emulator.New(emulator.Options{})
	defer srv.Close()
	g := gomega.NewGomega(func(message string, _ ...int) { fmt.Println("FAILED:", message) })
	rec, _ := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(2 * time.Second), NoEvent: true})
	doc := rec.Documents[0]

	// The client under test: it reads 1000 bytes, then resumes.
	cs, _ := signer.ParseConnectionString(srv.ConnectionString())
	client := signer.New(cs).Client()
	for _, rng := range []string{"bytes=0-999", "bytes=1000-"} {
		req, _ := http.NewRequest(http.MethodGet, doc.ContentLocation, nil)
		req.Header.Set("Range", rng)
		resp, _ := client.Do(req)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	// The journal is written as each answer ends: poll for it.
	g.Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequest(match.ResumedAt(doc.ID, 1000)))
	g.Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(rec))
	g.Expect(srv).NotTo(match.HaveRequest(match.ResumedAt(doc.ID, 999)))
	fmt.Println("the client resumed at byte 1000 and downloaded the chunk once")
	// Output: the client resumed at byte 1000 and downloaded the chunk once
}
