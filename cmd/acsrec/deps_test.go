package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/internal/depcheck"
)

// The reference client is what a user's downloader looks like: it must not
// lean on the emulator's code (only shared pure packages under internal/ and
// clock/). client/calling, which drives an emulator's control plane for
// Simulate, has its own test allowing the wire types.
func TestReferenceClientImportsNoEmulatorPackage(t *testing.T) {
	pkgs := slices.DeleteFunc(depcheck.Deps(t, depcheck.Module+"/client/..."), func(p string) bool {
		return !strings.HasPrefix(p, depcheck.Module+"/client/") || p == depcheck.Module+"/client/calling"
	})
	depcheck.Only(t, "the reference client", true, func(pkg string) bool {
		return !strings.HasPrefix(pkg, depcheck.Module+"/emulator/")
	}, append(pkgs, depcheck.Module+"/cmd/acsrec")...)
}
