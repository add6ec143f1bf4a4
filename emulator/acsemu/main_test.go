package acsemu_test

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// The tests and the Example that start containers need an image and a
// Docker engine: `make containers` sets ACSEMU_TEST_IMAGE after `make image`.
// Without it only the tests that need neither run, and the skip is said
// loudly rather than passed silently.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("ACSEMU_TEST_IMAGE") == "" {
		fmt.Fprintln(os.Stderr, "#### emulator/acsemu: ACSEMU_TEST_IMAGE is not set: SKIPPED every test that starts a container (run make containers) ####")
		if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
			_ = f.Value.Set("^TestOffline")
		}
	}
	os.Exit(m.Run())
}

// testImage is the image under test.
func testImage(t testing.TB) string {
	t.Helper()
	img := os.Getenv("ACSEMU_TEST_IMAGE")
	if img == "" {
		t.Skip("ACSEMU_TEST_IMAGE is not set (make containers sets it)")
	}
	return img
}
