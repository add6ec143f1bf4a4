package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/acsemu/acsemu/client/calling"
	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/eventgrid"
)

// pageTimeout bounds how long one test waits for the page to show something.
const pageTimeout = 60 * time.Second

// chromiumPath finds Debian's chromium ("" when missing).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless chromium with a fresh profile and no
// background networking (this machine's network is closed), at 1280×800.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		banner := "\n" + strings.Repeat("!", 78) + "\n!!! chromium NOT FOUND: the dashboard's browser tests did NOT run.\n" +
			"!!! Install it (apt-get install -y chromium); .ci/run does so in CI.\n" + strings.Repeat("!", 78) + "\n"
		fmt.Fprint(os.Stderr, banner)
		if os.Getenv("ACSEMU_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is required (ACSEMU_REQUIRE_BROWSER is set) but was not found")
		}
		t.Skip("chromium not found; browser tests skipped (see the banner above)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs actions within pageTimeout.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		screenshot(t, ctx, "failed-"+t.Name())
		t.Fatalf("%s: %v", what, err)
	}
}

// eval runs one action that returns a value, within pageTimeout.
func eval[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		screenshot(t, ctx, "failed-"+t.Name())
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshotDir is artifacts/screenshots at the repository root.
func screenshotDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves the viewport as artifacts/screenshots/<name>.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	name = strings.NewReplacer("/", "-", " ", "_").Replace(name)
	path := filepath.Join(screenshotDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
	if dst := os.Getenv("ACSEMU_README_SCREENSHOT"); dst != "" && strings.HasPrefix(name, "readme") {
		_ = os.WriteFile(dst, png, 0o644)
	}
}

// textOf waits for sel and returns its visible text.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return waitText(t, ctx, sel, "")
}

// act waits for sel and calls its method ("focus", "click") in the same
// step: a live update may replace the node between two protocol calls.
func act(t *testing.T, ctx context.Context, sel, method string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const n = document.querySelector(%q); if (!n) return false; n.%s(); return true; })()`, sel, method)
	eval(t, ctx, method+" "+sel, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond)))
}

// waitText waits until sel is shown and its text contains want, and returns
// the text. The page rebuilds its lists at each live update (nothing reloads
// it), so the text is read in the same poll that finds the node.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => { const n = document.querySelector(%q); return n && n.offsetParent !== null && n.innerText.includes(%q) ? n.innerText || " " : null; })()`, sel, want)
	return eval(t, ctx, fmt.Sprintf("wait for %s to show %q", sel, want), chromedp.Poll[string](js, chromedp.WithPollingInterval(50*time.Millisecond)))
}

func signedClient(t *testing.T, srv *emulator.Server) *http.Client {
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	return signer.New(cs).Client()
}

// download GETs url with rng (if any) and reads what arrives; a cut body is
// not an error here, it is what the test is about.
func download(t *testing.T, c *http.Client, url, rng string) int64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "reset") {
		t.Logf("body ended with %v", err)
	}
	return n
}

func TestCoverageBarShowsTheGapAResetLeftAndFillsWhenTheClientResumes(t *testing.T) {
	ctx := newBrowser(t)
	srv := emulatortest.Start(t, emulator.Options{Seed: 7})
	bg := context.Background()
	rec, err := srv.Control().CreateRecording(bg, api.RecordingSpec{Duration: api.Duration(10 * time.Second), Format: "wav", NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	doc := rec.Documents[0]
	if _, err := srv.Control().AddFaultsJSON(bg, []byte(`[{"id":"cut-40","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterPercent":40}}]`)); err != nil {
		t.Fatal(err)
	}
	c := signedClient(t, srv)
	got := download(t, c, doc.ContentLocation, "")
	if got >= doc.Size {
		t.Fatalf("the reset did not cut the body: %d of %d bytes", got, doc.Size)
	}

	card := fmt.Sprintf(`[data-doc=%q]`, doc.ID)
	run(t, ctx, "open the dashboard", chromedp.Navigate(srv.URL()+"/_emulator/ui/"))
	// A person sees a hatched gap in the bar and reads it in words.
	textOf(t, ctx, card+` [data-bar="union"] .gap`)
	summary := waitText(t, ctx, card+" .summary", "GAP")
	if !strings.Contains(summary, "incomplete") {
		t.Errorf("summary %q does not say the download is incomplete", summary)
	}
	notes := textOf(t, ctx, card+" .notes")
	if !strings.Contains(notes, "reset cut it at byte") {
		t.Errorf("the request notes do not say where the reset cut: %q", notes)
	}
	if s := textOf(t, ctx, card+" [data-state]"); s != "partly downloaded" {
		t.Errorf("state %q, want partly downloaded", s)
	}
	assertFitsViewport(t, ctx)
	screenshot(t, ctx, "coverage-gap-after-reset")

	// The client resumes where it was cut: the page updates itself (SSE).
	cut := strings.ReplaceAll(strings.Split(strings.Split(notes, "reset cut it at byte ")[1], " ")[0], ",", "")
	download(t, c, doc.ContentLocation, "bytes="+cut+"-")
	textOf(t, ctx, card+` [data-state="downloaded"]`)
	waitText(t, ctx, card+" .notes", "resumed at byte")
	if summary := textOf(t, ctx, card+" .summary"); !strings.Contains(summary, "complete: all") {
		t.Errorf("after the resume the summary says %q", summary)
	}
	gaps := eval(t, ctx, "count gaps", chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('%s [data-bar="union"] .gap').length`, card)))
	if gaps != 0 {
		t.Errorf("%d gaps still drawn after the resume", gaps)
	}
	screenshot(t, ctx, "coverage-resumed")

	// A resume bug: a second download is reset, and the client resumes 64 KiB
	// past the cut. The page shows the skipped bytes as a gap, in words too.
	rec2, err := srv.Control().CreateRecording(bg, api.RecordingSpec{Duration: api.Duration(10 * time.Second), Format: "wav", NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	doc2 := rec2.Documents[0]
	if _, err := srv.Control().AddFaultsJSON(bg, []byte(`[{"id":"cut-25","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterBytes":80000}}]`)); err != nil {
		t.Fatal(err)
	}
	download(t, c, doc2.ContentLocation, "")
	download(t, c, doc2.ContentLocation, fmt.Sprintf("bytes=%d-", 80000+65536))
	card2 := fmt.Sprintf(`[data-doc=%q]`, doc2.ID)
	if n := waitText(t, ctx, card2+" .notes", "GAP: bytes 80,000–145,535 (65,536 bytes) skipped"); !strings.Contains(n, "reset cut it at byte 80,000") {
		t.Errorf("notes of the resume bug: %q", n)
	}
	textOf(t, ctx, card2+` [data-bar="union"] .gap`)
	screenshot(t, ctx, "readme-dashboard")

	// The faults page counts the rule's hits and names the request it cut.
	run(t, ctx, "open the faults tab", chromedp.Click(chromedp.CSS("#tab-faults")))
	rule := waitText(t, ctx, `[data-rule="cut-40"]`, "fired 1 of ")
	if !strings.Contains(rule, "GET /v1/objects/"+doc.ID+"/content/audio") || !strings.Contains(rule, "connection reset") {
		t.Errorf("the rule's hits: %q", rule)
	}
}

func TestDeliveryTurnsGreenAfterRetriesAndShowsTheAttemptsRequest(t *testing.T) {
	ctx := newBrowser(t)
	srv := emulatortest.Start(t, emulator.Options{Seed: 3, EventTimeScale: 0.001})
	bg := context.Background()
	hook := emulatortest.NewWebhook(t)
	if _, err := srv.Control().AddFaultsJSON(bg, []byte(`[{"id":"busy-twice","match":{"target":"delivery"},"when":{"times":2},"action":{"type":"status","status":503}}]`)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Control().CreateSubscription(bg, eventgrid.SubscriptionSpec{Name: "recordings", EndpointURL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open the deliveries page", chromedp.Navigate(srv.URL()+"/_emulator/ui/#deliveries"))
	if _, err := srv.Control().CreateRecording(bg, api.RecordingSpec{Duration: api.Duration(2 * time.Second), Format: "wav"}); err != nil {
		t.Fatal(err)
	}
	sub := `[data-sub="recordings"]`
	waitText(t, ctx, sub+" [data-result]", "Delivered")
	attempts := textOf(t, ctx, sub+" .attempts")
	for _, want := range []string{"#0 503", "#1 503", "#2 200 Delivered"} {
		if !strings.Contains(attempts, want) {
			t.Errorf("attempts %q lack %q", attempts, want)
		}
	}
	if v := textOf(t, ctx, sub+" h2 .badge"); !strings.Contains(v, "Succeeded") {
		t.Errorf("validation handshake shown as %q", v)
	}
	// Keyboard: focus the first attempt and press Enter to see its request.
	act(t, ctx, sub+` .attempt`, "focus")
	run(t, ctx, "open attempt 0 from the keyboard", chromedp.KeyEvent("\r"))
	headers := waitText(t, ctx, `#attempt-detail [data-part="headers"]`, "Aeg-Delivery-Count: 0")
	if !strings.Contains(headers, "Aeg-Event-Type: Notification") {
		t.Errorf("headers shown: %q", headers)
	}
	if body := textOf(t, ctx, `#attempt-detail [data-part="body"]`); !strings.Contains(body, "Microsoft.Communication.RecordingFileStatusUpdated") {
		t.Errorf("body shown: %q", body)
	}
	assertFitsViewport(t, ctx)
	screenshot(t, ctx, "delivery-green-after-retries")
}

func TestFaultRulesAreAddedAndRemovedFromThePage(t *testing.T) {
	ctx := newBrowser(t)
	srv := emulatortest.Start(t, emulator.Options{Seed: 1})
	run(t, ctx, "open the dashboard", chromedp.Navigate(srv.URL()+"/_emulator/ui/"))
	// Keyboard: from the first tab, End goes to the last, Left back to Call Automation, Left again to Faults.
	run(t, ctx, "focus the first tab", chromedp.Focus(chromedp.CSS("#tab-documents")))
	run(t, ctx, "press End, Left, Left", chromedp.KeyEvent(kb.End), chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
	textOf(t, ctx, "#fault-form")
	selected := eval(t, ctx, "selected tab", chromedp.Evaluate[string](`document.querySelector('[role=tab][aria-selected=true]').id`))
	if selected != "tab-faults" {
		t.Fatalf("the keyboard selected %q, want tab-faults", selected)
	}
	run(t, ctx, "add a rule", chromedp.SetValue(chromedp.CSS("#fault-json"), `{"id":"slow-meta","match":{"target":"metadata"},"action":{"type":"latency","duration":"10ms"}}`),
		chromedp.Click(chromedp.CSS("#fault-add")))
	textOf(t, ctx, `[data-rule="slow-meta"]`)
	if _, ok := srv.Faults().Rule("slow-meta"); !ok {
		t.Fatal("the page showed the rule but the emulator does not have it")
	}
	run(t, ctx, "refuse a bad rule", chromedp.SetValue(chromedp.CSS("#fault-json"), `{"action":{"type":"reset","afterBytes":-1}}`),
		chromedp.Click(chromedp.CSS("#fault-add")))
	if e := waitText(t, ctx, "#fault-error", "InvalidFaultRule"); !strings.Contains(e, "afterBytes") {
		t.Errorf("error shown: %q", e)
	}
	// A live update rebuilds the list; the keyboard focus stays on its button.
	act(t, ctx, `[data-rule="slow-meta"] button`, "focus")
	if _, err := srv.Control().AddFaultsJSON(context.Background(), []byte(`[{"id":"other","match":{"target":"delete"},"action":{"type":"status","status":500}}]`)); err != nil {
		t.Fatal(err)
	}
	textOf(t, ctx, `[data-rule="other"]`)
	if k := eval(t, ctx, "focused", chromedp.Evaluate[string](`document.activeElement.dataset.key || document.activeElement.tagName`)); k != "remove-slow-meta" {
		t.Errorf("after a live update the focus is on %q", k)
	}
	screenshot(t, ctx, "faults")
	act(t, ctx, `[data-rule="slow-meta"] button`, "click")
	run(t, ctx, "the rule is gone",
		chromedp.WaitNotPresent(chromedp.CSS(`[data-rule="slow-meta"]`)))
	if _, ok := srv.Faults().Rule("slow-meta"); ok {
		t.Fatal("the rule is still installed")
	}
}

func TestSignaturePageHighlightsTheDifferingLine(t *testing.T) {
	ctx := newBrowser(t)
	srv := emulatortest.Start(t, emulator.Options{Seed: 1})
	rec, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{Duration: api.Duration(2 * time.Second), Format: "wav", NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	// Sign one path, send another, and tell the emulator what was signed.
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	c := signer.New(cs, signer.WithDebug(), signer.WithBase(rewritePath{path: "/v1/objects/" + rec.Documents[0].ID + "/content/video"})).Client()
	req, _ := http.NewRequest(http.MethodGet, rec.Documents[0].ContentLocation, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	run(t, ctx, "open the signatures page", chromedp.Navigate(srv.URL()+"/_emulator/ui/#signatures"))
	row := waitText(t, ctx, "#signatures tr.differs", "≠ differs")
	if !strings.Contains(row, "path and query") || !strings.Contains(row, "/content/audio") || !strings.Contains(row, "/content/video") || strings.Count(textOf(t, ctx, "#signatures tbody"), "= same") != 4 {
		t.Errorf("differing row: %q", row)
	}
	marks := eval(t, ctx, "count highlights", chromedp.Evaluate[int](`document.querySelectorAll('#signatures tr.differs mark').length`))
	if marks != 2 {
		t.Errorf("%d highlighted cells, want the expected and the signed value", marks)
	}
	screenshot(t, ctx, "signatures")

	// Request data is shown as text, never run as markup: an unsigned request
	// whose path carries an HTML payload lands on this page as characters.
	resp, err = http.Get(srv.URL() + "/v1/objects/%3Cimg%20src=x%20onerror=window.pwned=1%3E/content/audio")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitText(t, ctx, "#signatures-list", "<img src=x onerror=window.pwned=1>")
	if n := eval(t, ctx, "count injected nodes", chromedp.Evaluate[int](`document.querySelectorAll('#signatures img').length + (window.pwned ? 1 : 0)`)); n != 0 {
		t.Fatal("a request path was rendered as HTML")
	}
}

func TestCallAutomationPageShowsTheRecordingAndItsCallback(t *testing.T) {
	ctx := newBrowser(t)
	srv := emulatortest.Start(t, emulator.Options{Seed: 5})
	hook := emulatortest.NewWebhook(t)
	ca := &calling.Client{Endpoint: srv.URL(), HTTP: signedClient(t, srv)}
	st, err := ca.Start(context.Background(), api.StartRecordingRequest{
		CallLocator:               &api.CallLocator{ServerCallID: "aHR0cHM6Ly9leGFtcGxlLmNvbS9jYWxs", Kind: "serverCallLocator"},
		RecordingStateCallbackURI: hook.URL + "/callbacks", RecordingContentType: "audio", RecordingFormatType: "wav", RecordingChannelType: "mixed"})
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open the Call Automation page", chromedp.Navigate(srv.URL()+"/_emulator/ui/#calls"))
	row := fmt.Sprintf(`[data-recording=%q]`, st.RecordingID)
	// The service answers start with "inactive"; media flows and the
	// recording turns "active" on the recording clock (2 s later by default).
	if s := textOf(t, ctx, row+` [data-state="active"]`); s != "active" {
		t.Errorf("state shown as %q", s)
	}
	if s := textOf(t, ctx, row); !strings.Contains(s, "audio mixed wav") {
		t.Errorf("recording row %q", s)
	}
	callback := textOf(t, ctx, `#calls-list tr[data-kind="callback"]`)
	if !strings.Contains(callback, "POST /callbacks") || !strings.Contains(callback, "200") {
		t.Errorf("callback row %q", callback)
	}
	if s := textOf(t, ctx, `#calls-list tr[data-kind="request"]`); !strings.Contains(s, "POST /calling/recordings") {
		t.Errorf("request row %q", s)
	}
	if err := ca.Pause(context.Background(), st.RecordingID); err != nil {
		t.Fatal(err)
	}
	textOf(t, ctx, row+` [data-state="inactive"]`) // the service calls a paused recording inactive
	waitText(t, ctx, "#calls-list", ":pause")
	screenshot(t, ctx, "call-automation")
}

// assertFitsViewport checks that the page needs no horizontal scrolling at 1280 px.
func assertFitsViewport(t *testing.T, ctx context.Context) {
	t.Helper()
	width := eval(t, ctx, "measure", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if width > 1280 {
		t.Errorf("the page is %d px wide at a 1280 px viewport", width)
	}
}

// rewritePath sends a signed request to another path, as a client that signs
// before it rewrites its URL does.
type rewritePath struct{ path string }

func (rw rewritePath) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Path, r.URL.RawPath = rw.path, ""
	return http.DefaultTransport.RoundTrip(r)
}
