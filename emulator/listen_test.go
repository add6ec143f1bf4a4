package emulator_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

// An emulator listening on every interface (the container image's 0.0.0.0)
// must hand out a URL a client can dial, in the connection string and in the
// locations it writes, never the unspecified address.
func TestListeningOnEveryInterfaceAdvertisesLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0"} {
		t.Run(addr, func(t *testing.T) {
			srv := emulatortest.Start(t, emulator.Options{Addr: addr})
			u, err := url.Parse(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			if u.Hostname() != "127.0.0.1" || u.Port() == "0" || u.Port() == "" {
				t.Fatalf("URL %q: want http://127.0.0.1:<port>", srv.URL())
			}
			if !strings.HasPrefix(srv.ConnectionString(), "endpoint="+srv.URL()+"/;") || srv.StorageBaseURL() != srv.URL() {
				t.Fatalf("connection string %q / storage %q do not use %q", srv.ConnectionString(), srv.StorageBaseURL(), srv.URL())
			}
			if _, err := srv.Control().Health(t.Context()); err != nil {
				t.Fatalf("the advertised URL does not answer: %v", err)
			}
		})
	}
}
