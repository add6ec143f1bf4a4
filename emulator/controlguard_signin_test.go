package emulator_test

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// With a control token, a browser signs in to the dashboard once with
// ?token=; the token then travels in an HttpOnly, SameSite=Strict cookie, and
// a wrong token or another origin still gets nothing.
func TestDashboardSignInWithTheControlToken(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{ControlToken: "t0k"})
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	get := func(c *http.Client, path string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(browser, "/_emulator/ui/"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dashboard without the token: %d, want 401", resp.StatusCode)
	}
	if resp := get(browser, "/_emulator/ui/?token=wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dashboard with a wrong token: %d, want 401", resp.StatusCode)
	}
	resp := get(browser, "/_emulator/ui/?token=t0k")
	if resp.StatusCode != http.StatusOK || strings.Contains(resp.Request.URL.RawQuery, "token") {
		t.Fatalf("sign-in: %d at %s, want 200 after a redirect that drops the token", resp.StatusCode, resp.Request.URL)
	}
	var cookie string
	for _, c := range resp.Request.Response.Cookies() {
		cookie = c.String()
	}
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("cookie %q: want HttpOnly and SameSite=Strict", cookie)
	}
	if resp := get(browser, "/_emulator/config"); resp.StatusCode != http.StatusOK {
		t.Errorf("a control call with the signed-in cookie: %d, want 200", resp.StatusCode)
	}
	if resp := get(browser, "/_emulator/config", "Origin", "http://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin call with the cookie: %d, want 403", resp.StatusCode)
	}
}
