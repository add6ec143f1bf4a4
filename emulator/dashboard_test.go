package emulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
)

func TestDashboardIsServedOnTheControlPlaneAndNotJournaled(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	for _, path := range []string{"/_emulator/ui/", "/_emulator/ui/app.css", "/_emulator/ui/api/view"} {
		resp, err := http.Get(srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
	}
	if n := srv.Journal().Count(journal.Filter{PathPrefix: "/_emulator/ui"}); n != 0 {
		t.Errorf("%d dashboard requests journaled; the page reads the journal, it must not fill it", n)
	}
}
