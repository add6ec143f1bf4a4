package match_test

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/scenarios/match"
)

// HaveRequestWithin waits for a request that arrives after the assertion
// starts, in process and through the control plane, without polling.
func TestHaveRequestWithinWaitsForTheEntry(t *testing.T) {
	g := NewWithT(t)
	srv := emulatortest.Start(t, emulator.Options{})
	f := api.RequestFilter{Plane: api.PlaneData, PathPrefix: "/nothing-yet"}
	for _, actual := range []any{srv, srv.Control()} {
		done := make(chan bool, 1)
		go func() {
			ok, err := match.HaveRequestWithin(f, api.MaxWait).Match(actual)
			done <- ok && err == nil
		}()
		resp, err := http.Get(srv.URL() + "/nothing-yet")
		g.Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g.Eventually(done).WithTimeout(api.MaxWait).Should(Receive(BeTrue()), "%T", actual)
	}
	f.AfterID = 1_000_000 // nothing comes after this
	m := match.HaveRequestWithin(f, 10*time.Millisecond)
	g.Expect(m.Match(srv)).To(BeFalse())
	g.Expect(m.FailureMessage(srv)).To(ContainSubstring("within 10ms"))
}
