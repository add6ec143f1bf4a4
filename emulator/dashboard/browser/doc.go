// Package browser holds the dashboard's tests in a real browser: Debian's
// chromium, driven through the DevTools protocol by chromedp. They assert what
// a person sees on /_emulator/ui/ and save screenshots under
// artifacts/screenshots/ at the repository root (kept by CI as artefacts).
//
// Without chromium the tests skip with a loud banner; .ci/run installs it, so
// CI always runs them (set ACSEMU_REQUIRE_BROWSER=1 to fail instead of skip).
package browser
