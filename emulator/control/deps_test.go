package control_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The typed client compiles none of the emulator: its dependencies are the
// wire types (emulator/api), internal pure helpers and the standard library.
func TestClientDependsOnlyOnTheAPITypes(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/acsemu/acsemu/emulator/control").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case !strings.HasPrefix(pkg, "github.com/acsemu/acsemu/"):
			if first, _, _ := strings.Cut(pkg, "/"); strings.Contains(first, ".") {
				t.Errorf("the client depends on the third-party package %s", pkg)
			}
		case pkg == "github.com/acsemu/acsemu/emulator/control", pkg == "github.com/acsemu/acsemu/emulator/api",
			strings.HasPrefix(pkg, "github.com/acsemu/acsemu/internal/"):
		default:
			t.Errorf("the client depends on the implementation package %s", pkg)
		}
	}
}
