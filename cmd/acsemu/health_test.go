package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
)

func TestHealthAnswersForARunningEmulator(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		srv := emulatortest.Start(t, emulator.Options{TLS: tlsOn})
		var out bytes.Buffer
		if err := run(t.Context(), []string{"health", "--url", srv.URL()}, envOf(nil), &out, io.Discard); err != nil {
			t.Fatalf("TLS %v: %v", tlsOn, err)
		}
		if !strings.Contains(out.String(), "{") {
			t.Fatalf("TLS %v: no health document printed: %q", tlsOn, out.String())
		}
	}
}

// With no --url, health checks what the environment configures, the way the
// image's HEALTHCHECK does with ACSEMU_ADDR=0.0.0.0:10900.
func TestHealthFindsTheEmulatorFromTheEnvironment(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Addr: "0.0.0.0:0", TLS: true})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL(), "https://"))
	env := envOf(map[string]string{"ACSEMU_ADDR": "0.0.0.0:" + port, "ACSEMU_TLS": "true"})
	if err := run(t.Context(), []string{"health"}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := healthURL(env); got != "https://127.0.0.1:"+port {
		t.Fatalf("healthURL = %q", got)
	}
}

func TestHealthFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	hang := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	defer stuck.Close()
	defer close(hang)
	impostor := httptest.NewTLSServer(http.NotFoundHandler())
	defer impostor.Close()
	for name, args := range map[string][]string{
		"nothing listens":   {"--url", closed},
		"no answer in time": {"--url", stuck.URL, "--timeout", "50ms"},
		"not the emulator":  {"--url", impostor.URL},
		"bad timeout":       {"--url", closed, "--timeout", "0s"},
	} {
		if err := run(t.Context(), append([]string{"health"}, args...), envOf(nil), io.Discard, io.Discard); err == nil {
			t.Errorf("%s: health passed", name)
		}
	}
}
