package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

func TestRecordingCreateWaitsForHashesWhenAsked(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	env := func(k string) string {
		if k == "ACSEMU_URL" {
			return srv.URL()
		}
		return ""
	}
	create := func(args ...string) api.Recording {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append([]string{"recording", "create", "--no-event", "--duration", "2m"}, args...), env, &out, &errOut); err != nil {
			t.Fatalf("%v\n%s", err, errOut.String())
		}
		var r api.Recording
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, out.String())
		}
		return r
	}
	// Two minutes of WAV (3.8 MB): not hashed on the spot.
	if d := create().Documents[0]; !d.HashPending || d.SHA256 != "" {
		t.Fatalf("without --wait-hashes: pending %v sha %q", d.HashPending, d.SHA256)
	}
	if d := create("--wait-hashes").Documents[0]; d.HashPending || len(d.SHA256) != 64 || len(d.MetadataSHA256) != 64 {
		t.Fatalf("with --wait-hashes: %+v", d)
	}
}
