// Package depcheck keeps the layering honest in tests: it lists what packages
// compile in (go list -deps) and reports every module package outside an
// allowed set, so a client that starts leaning on the emulator's
// implementation fails a test instead of a review.
package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// Module is this module's import path.
const Module = "github.com/acsemu/acsemu"

// Deps returns the packages that patterns compile in, themselves included.
func Deps(t testing.TB, patterns ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps"}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", strings.Join(patterns, " "), err)
	}
	return strings.Fields(string(out))
}

// Only fails t for every package of this module that patterns compile in and
// allowed refuses, and for every third-party package (standard library aside)
// unless thirdParty is true.
func Only(t testing.TB, what string, thirdParty bool, allowed func(pkg string) bool, patterns ...string) {
	t.Helper()
	for _, pkg := range Deps(t, patterns...) {
		switch {
		case !strings.HasPrefix(pkg, Module+"/"):
			if first, _, _ := strings.Cut(pkg, "/"); !thirdParty && strings.Contains(first, ".") {
				t.Errorf("%s depends on the third-party package %s", what, pkg)
			}
		case !allowed(pkg):
			t.Errorf("%s depends on %s", what, pkg)
		}
	}
}
