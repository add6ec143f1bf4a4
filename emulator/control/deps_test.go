package control_test

import (
	"strings"
	"testing"

	"github.com/acsemu/acsemu/internal/depcheck"
)

// The typed client compiles none of the emulator: its dependencies are the
// wire types (emulator/api), internal pure helpers and the standard library.
func TestClientDependsOnlyOnTheAPITypes(t *testing.T) {
	depcheck.Only(t, "the control-plane client", false, func(pkg string) bool {
		return pkg == depcheck.Module+"/emulator/control" || pkg == depcheck.Module+"/emulator/api" ||
			strings.HasPrefix(pkg, depcheck.Module+"/internal/")
	}, depcheck.Module+"/emulator/control")
}
