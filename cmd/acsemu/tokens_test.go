package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// The CLI manages token faults, and sends the control token when the
// emulator requires one.
func TestTokensCommandsWithAControlToken(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{ControlToken: "t0k"})
	acsemu := func(env map[string]string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append(args, "--url", srv.URL()), envOf(env), &out, io.Discard)
		return out.String(), err
	}
	if _, err := acsemu(nil, "tokens", "faults"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("without the token: %v", err)
	}
	withToken := map[string]string{"ACSEMU_CONTROL_TOKEN": "t0k"}
	if _, err := acsemu(withToken, "tokens", "fault", "expired", "--for", "callback", "--count", "2"); err != nil {
		t.Fatal(err)
	}
	out, err := acsemu(withToken, "tokens", "faults")
	if err != nil || !strings.Contains(out, `"fault": "expired"`) || !strings.Contains(out, `"count": 2`) {
		t.Fatalf("faults: %s %v", out, err)
	}
	if _, err := acsemu(withToken, "tokens", "fault", "stale"); err == nil {
		t.Fatal("an unknown fault was accepted")
	}
	if _, err := acsemu(nil, "tokens", "clear", "--control-token", "t0k"); err != nil {
		t.Fatal(err)
	}
	if out, _ := acsemu(withToken, "tokens", "faults"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("after clear: %s", out)
	}
}

func TestServeSecurityFlags(t *testing.T) {
	cfg, err := LoadServe([]string{"--allowed-hosts", "acsemu, emu.local", "--webhook-allow", "app:8080"},
		envOf(map[string]string{"ACSEMU_CONTROL_TOKEN": "s"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts := cfg.Options()
	if opts.ControlToken != "s" || strings.Join(opts.AllowedHosts, "|") != "acsemu|emu.local" || strings.Join(opts.WebhookAllowList, "|") != "app:8080" {
		t.Fatalf("%+v", opts)
	}
}
