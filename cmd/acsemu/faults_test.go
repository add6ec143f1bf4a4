package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

func TestFaultsCommands(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	acsemu := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append(args, "--url", srv.URL()), envOf(nil), &out, io.Discard)
		return out.String(), err
	}
	file := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(file, []byte(`[{"id":"busy","match":{"target":"media"},"when":{"times":2},"action":{"type":"status","status":503,"retryAfter":2}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := acsemu("faults", "add", "-f", file); err != nil {
		t.Fatal(err)
	}
	if _, err := acsemu("faults", "add", `{"action":{"type":"reset","afterPercent":40}}`); err != nil {
		t.Fatal(err)
	}
	out, err := acsemu("faults", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ID    TARGET  ACTION", `busy  media   {"type":"status","status":503,"retryAfter":2}  times 2  0        0`,
		`f1    *       {"type":"reset","afterPercent":40}`} {
		if !strings.Contains(out, want) {
			t.Errorf("list:\n%s\nwant a line with %q", out, want)
		}
	}
	if _, err := acsemu("faults", "add", `{"action":{"type":"stall"}}`); err == nil || !strings.Contains(err.Error(), "action.duration: required") {
		t.Errorf("bad rule: %v", err)
	}
	if _, err := acsemu("faults", "delete", "busy"); err != nil {
		t.Fatal(err)
	}
	if _, err := acsemu("faults", "clear"); err != nil {
		t.Fatal(err)
	}
	if out, _ := acsemu("faults", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("after clear: %s", out)
	}
	if out, err := acsemu("faults", "violations"); err != nil || !strings.Contains(out, `"count": 0`) {
		t.Errorf("violations: %s %v", out, err)
	}
}

func TestServeRefusesABadFaultsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(file, []byte(`[{"action":{"type":"reset","afterBytes":-5}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadServe([]string{"--faults", file}, envOf(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--faults: ") || !strings.Contains(err.Error(), "[0].action.afterBytes: must not be negative") {
		t.Errorf("error %v", err)
	}
}
