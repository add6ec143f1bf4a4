package acsemu_test

// These tests use the image the way a team without Go does: with the docker
// CLI (docker run, docker exec, docker inspect) and nothing else from this
// module. They run on the host network (the engine here has no port
// publishing); see README, Containers, for ordinary Docker.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/contract"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/fixtures/brokenhooks"
)

// docker runs the docker CLI and returns its combined output.
func docker(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	return string(out), err
}

// freeAddr is a free 127.0.0.1 port for an emulator in a host-network container.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func uniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// devConnectionString is what the emulator on addr prints with the default key.
func devConnectionString(addr string) string {
	return "endpoint=http://" + addr + "/;accesskey=" + emulator.DevAccessKeyBase64
}

// poll calls f every 100 ms until it returns true or ctx ends.
func poll(ctx context.Context, f func() bool) bool {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !f() {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	return true
}

// `docker run` of the image serves the emulator as a non-root user, its
// HEALTHCHECK (acsemu health) turns healthy, and a signed download from the
// host returns the bytes the control plane describes.
func TestImageServesHealthAndSignedDownloads(t *testing.T) {
	img := testImage(t)
	ctx, cancel := context.WithTimeout(t.Context(), flowTimeout)
	defer cancel()
	addr, name := freeAddr(t), uniqueName("acsemu-image-")
	if out, err := docker(ctx, "run", "-d", "--name", name, "--network", "host", "-e", "ACSEMU_ADDR="+addr, img); err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = docker(context.Background(), "rm", "-f", name) })

	if user, err := docker(ctx, "inspect", "-f", "{{.Config.User}}", name); err != nil || strings.TrimSpace(user) != "65532:65532" {
		t.Fatalf("the image runs as %q (%v), want the unprivileged 65532:65532", user, err)
	}
	var last string
	if !poll(ctx, func() bool { out, err := docker(ctx, "exec", name, "/acsemu", "health"); last = out; return err == nil }) {
		t.Fatalf("acsemu health never answered: %s", last)
	}
	if !poll(ctx, func() bool {
		last, _ = docker(ctx, "inspect", "-f", "{{.State.Health.Status}}", name)
		return strings.TrimSpace(last) == "healthy"
	}) {
		t.Fatalf("the HEALTHCHECK did not report healthy: %q", last)
	}

	ctl, err := control.NewClient("http://"+addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(2 * time.Second), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := signer.ParseConnectionString(devConnectionString(addr))
	if err != nil {
		t.Fatal(err)
	}
	doc := rec.Documents[0]
	resp, err := signer.New(cs).Client().Get(doc.ContentLocation)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("signed GET %s: %s, %v", doc.ContentLocation, resp.Status, err)
	}
	if got := sha256Hex(body); got != doc.SHA256 {
		t.Fatalf("downloaded SHA-256 %s, the control plane reports %s", got, doc.SHA256)
	}
	unsigned, err := http.Get(doc.ContentLocation)
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Body.Close()
	if unsigned.StatusCode != http.StatusUnauthorized {
		t.Fatalf("an unsigned GET got %s, want 401", unsigned.Status)
	}
}

// contractRun runs contract mode from the image against webhook and returns
// its output and error. The webhook is addressed as host.docker.internal,
// mapped to the host's loopback (on ordinary Docker it is host-gateway).
func contractRun(ctx context.Context, t *testing.T, addr, webhook string) (string, error) {
	t.Helper()
	return docker(ctx, "run", "--rm", "--network", "host", "--add-host", "host.docker.internal:127.0.0.1",
		"-e", "ACSEMU_ADDR="+addr, testImage(t), "contract", "--webhook", strings.Replace(webhook, "127.0.0.1", "host.docker.internal", 1),
		"--public-url", "http://"+addr, "--quiet", "300ms", "--timeout", "30s", "--wait", "20s")
}

// acsrecSecret is the ?code= secret acsrec serve requires of deliveries.
const acsrecSecret = "acsemu-image-test"

// startAcsrec builds and runs `acsrec serve` for the emulator at addr and
// returns its webhook URL.
func startAcsrec(ctx context.Context, t *testing.T, addr string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "acsrec")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/acsemu/acsemu/cmd/acsrec").CombinedOutput(); err != nil {
		t.Fatalf("build acsrec: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--out", filepath.Join(dir, "out"), "--progress", "off",
		"--secret", acsrecSecret)
	cmd.Env = append(os.Environ(), "ACSREC_CONNECTION_STRING="+devConnectionString(addr))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`webhook=(http://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr) // keep acsrec's stderr drained
	}()
	select {
	case u := <-found:
		return u + "?code=" + acsrecSecret // Event Grid calls the webhook with its secret
	case <-ctx.Done():
		t.Fatal("acsrec serve did not log its webhook URL")
		return ""
	}
}

// Contract mode from the image passes the reference client (acsrec serve)
// and fails a webhook that re-downloads from zero after a reset, naming the
// check, with exit code 1.
func TestImageContractMode(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), flowTimeout)
	defer cancel()

	t.Run("acsrec serve passes", func(t *testing.T) {
		addr := freeAddr(t)
		hook := startAcsrec(ctx, t, addr)
		out, err := contractRun(ctx, t, addr, hook)
		if err != nil {
			t.Fatalf("contract against acsrec serve: %v\n%s", err, out)
		}
		if !strings.Contains(out, "connection string: "+devConnectionString(addr)) {
			t.Fatalf("the report does not give the connection string:\n%s", out)
		}
	})

	t.Run("a broken webhook fails", func(t *testing.T) {
		addr := freeAddr(t)
		hook, err := brokenhooks.New(brokenhooks.RestartsFromZero, devConnectionString(addr), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer hook.Close()
		hs := httptest.NewServer(hook)
		defer hs.Close()
		out, err := contractRun(ctx, t, addr, hs.URL+"/api/events?code="+brokenhooks.Secret)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("contract against a broken webhook: %v, want exit code 1\n%s", err, out)
		}
		if !strings.Contains(out, strconv.Quote(contract.CheckResume)) || !strings.Contains(out, "instead of bytes=") {
			t.Fatalf("the report does not name the resume failure:\n%s", out)
		}
	})
}
