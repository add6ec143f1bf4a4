package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

func TestSubscriptionCommandsDriveEventDelivery(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	hook := emulatortest.NewWebhook(t)
	env := func(k string) string {
		if k == "ACSEMU_URL" {
			return srv.URL()
		}
		return ""
	}
	cli := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, env, &out, &errOut); err != nil {
			t.Fatalf("acsemu %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String()
	}
	if out := cli("subscription", "create", "recs", hook.URL, "--types", "Microsoft.Communication.RecordingFileStatusUpdated"); !strings.Contains(out, `"Succeeded"`) {
		t.Fatalf("create: %s", out)
	}
	cli("recording", "create", "--duration", "2s")
	cli("subscription", "drain", "recs", "--timeout", "10s")
	select {
	case n := <-hook.Received():
		if body := string(n.Body); !strings.Contains(body, "RecordingFileStatusUpdated") {
			t.Fatalf("delivered %s", body)
		}
	default:
		t.Fatal("drained but nothing delivered")
	}
	if out := cli("deliveries", "--subscription", "recs"); !strings.Contains(out, `"recs"`) && !strings.Contains(out, "RECS") {
		t.Fatalf("deliveries: %s", out)
	}
	if out := cli("subscription", "list"); !strings.Contains(out, "recs") {
		t.Fatalf("list: %s", out)
	}
	cli("subscription", "delete", "recs")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"subscription", "get", "recs"}, env, &out, &errOut); err == nil {
		t.Fatal("a deleted subscription is still there")
	}
}
