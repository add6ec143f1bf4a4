package calling_test

import (
	"strings"
	"testing"

	"github.com/acsemu/acsemu/internal/depcheck"
)

// The Call Automation client and Simulate compile none of the emulator: their
// dependencies are the wire types (emulator/api), the control-plane client
// (emulator/control, itself only wire types), internal pure helpers and the
// standard library.
func TestClientDependsOnlyOnTheAPITypes(t *testing.T) {
	depcheck.Only(t, "client/calling", false, func(pkg string) bool {
		switch pkg {
		case depcheck.Module + "/client/calling", depcheck.Module + "/emulator/api", depcheck.Module + "/emulator/control":
			return true
		}
		return strings.HasPrefix(pkg, depcheck.Module+"/internal/")
	}, depcheck.Module+"/client/calling")
}
