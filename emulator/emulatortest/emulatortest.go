// Package emulatortest starts an in-process emulator for a Go test: on a free
// loopback port, with the development key, stopped when the test ends.
package emulatortest

import (
	"testing"

	"github.com/acsemu/acsemu/emulator"
)

// Start starts an emulator with opts (the zero value is fine) and registers
// its Close with t.Cleanup. It fails the test if the emulator cannot start.
func Start(t testing.TB, opts emulator.Options) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulatortest: start emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("emulatortest: close emulator: %v", err)
		}
	})
	return srv
}
