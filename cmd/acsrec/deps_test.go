package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The reference client is what a user's downloader looks like: it must not
// lean on the emulator's code (only shared pure packages under internal/).
func TestReferenceClientImportsNoEmulatorPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/acsemu/acsemu/cmd/acsrec", "github.com/acsemu/acsemu/client/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/acsemu/acsemu/emulator/") {
			t.Errorf("the reference client depends on %s", pkg)
		}
	}
}
