package scenarios_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The suites start their own emulator in process (port 0), one per spec or
// container, so `ginkgo -p` runs them in parallel without sharing state.
func TestScenarios(t *testing.T) {
	RegisterFailHandler(Fail)
	describeContract() // needs the parsed --webhook flag, so it is declared here
	RunSpecs(t, "acsemu scenarios")
}
