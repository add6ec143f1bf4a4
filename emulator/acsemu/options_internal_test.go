package acsemu

import (
	"slices"
	"testing"
	"time"
)

// Every option becomes the `acsemu serve` flag it names; no option, no flag.
func TestOfflineServeArgs(t *testing.T) {
	var s settings
	for _, o := range []Option{WithAccessKey([]byte{1, 2, 3}), WithSeed(9), WithTLS("a.example", "b.example"),
		WithPublicURL("http://pub:1"), WithStorageURL("http://sto:2"), WithEventTimeScale(0.001), WithStrictAuth(), WithStorageValidators(),
		WithManualClock(time.Date(2025, 7, 1, 12, 0, 0, 5e8, time.FixedZone("CEST", 2*3600)))} {
		if err := o(&s); err != nil {
			t.Fatal(err)
		}
	}
	s.faultsFile = "/host/rules.json"
	got := s.serveArgs("127.0.0.1:0")
	want := []string{"serve", "--addr", "127.0.0.1:0", "--access-key", "AQID", "--seed", "9", "--tls",
		"--tls-hosts", "a.example,b.example", "--public-url", "http://pub:1", "--storage-url", "http://sto:2",
		"--faults", containerFaultsPath, "--event-time-scale", "0.001", "--strict-auth",
		"--storage-validators", "--manual-clock", "2025-07-01T10:00:00.5Z"}
	if !slices.Equal(got, want) {
		t.Fatalf("serveArgs\n got %q\nwant %q", got, want)
	}
	if got := (settings{}).serveArgs("0.0.0.0:10900"); !slices.Equal(got, []string{"serve", "--addr", "0.0.0.0:10900"}) {
		t.Fatalf("no options: %q", got)
	}
}

func TestOfflineAnnouncedURL(t *testing.T) {
	out := "acsemu is serving the ACS call-recording emulator\n  connection string: endpoint=https://127.0.0.1:4321/;accesskey=abc=\n"
	if u, ok := announcedURL(out); !ok || u != "https://127.0.0.1:4321" {
		t.Fatalf("announcedURL = %q, %v", u, ok)
	}
	if _, ok := announcedURL("time=... level=INFO msg=starting\n"); ok {
		t.Fatal("found a URL in output without a connection string")
	}
}
