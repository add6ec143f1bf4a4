package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
)

// -o ids prints what a script needs one per line; an empty listing says so on stderr.
func TestOutputModes(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Addr: "127.0.0.1:0", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := func(k string) string { return map[string]string{"ACSEMU_URL": srv.URL()}[k] }
	run := func(args ...string) (string, string) {
		var out, errOut bytes.Buffer
		if err := runClient(context.Background(), args, env, &out, &errOut); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String(), errOut.String()
	}
	if out, errOut := run("recording", "list", "-o", "ids"); out != "" || !strings.Contains(errOut, "no recordings match") {
		t.Errorf("empty list: %q %q", out, errOut)
	}
	out, _ := run("recording", "create", "--duration", "2s", "--chunk-size", "40000", "-o", "ids")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], srv.URL()) {
		t.Fatalf("ids: %q", out)
	}
	if out, _ := run("recording", "list", "-o", "table"); !strings.Contains(out, "CONTENT LOCATION") || !strings.Contains(out, lines[0]) {
		t.Errorf("table: %q", out)
	}
	if out, _ := run("requests", "--plane", "control", "--wait", "5s", "-o", "ids"); out == "" {
		t.Errorf("requests ids empty")
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	var out, errOut bytes.Buffer
	err := runClient(context.Background(), []string{"recordin", "list"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `did you mean "recording"`) {
		t.Errorf("got %v", err)
	}
	if err := runClient(context.Background(), []string{"recording"}, func(string) string { return "" }, &out, &errOut); err != nil || !strings.Contains(out.String(), "create, list, get") {
		t.Errorf("recording alone: %q %v", out.String(), err)
	}
}
