// Package acsemu runs the acsemu emulator as a container with
// testcontainers-go, in the style of its modules:
//
//	ctr, err := acsemu.Run(ctx, "acsemu:dev", acsemu.WithSeed(7), acsemu.WithHostNetwork())
//	defer testcontainers.TerminateContainer(ctr)
//	cs, err := ctr.ConnectionString(ctx) // give this to the code under test
//	ctl, err := ctr.Control(ctx)          // drive the emulator: recordings, events, faults
//
// The image is the one `make image` builds (FROM scratch, the static acsemu
// binary); nothing is pulled. The emulator inside is exactly `acsemu serve`,
// so everything the in-process emulator.Server offers over HTTP works the
// same; what needs the process itself (an injected clock, Go hooks) does not.
//
// Networking. With WithHostNetwork (Linux) the emulator listens on a free
// port of the host's loopback and reaches webhooks on the host at 127.0.0.1.
// Without it the container runs on Docker's default bridge: Run publishes the
// emulator on a free port of the host's loopback, writes that address into
// event locations and validation URLs (unless WithStorageURL/WithPublicURL
// say otherwise), and maps host.docker.internal to the host ("host-gateway"),
// so host webhooks are subscribed as http://host.docker.internal:PORT/...
// and must listen on an address the bridge reaches (not only 127.0.0.1).
package acsemu

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/control"
)

// DefaultImage is the tag `make image` builds.
const DefaultImage = "acsemu:dev"

// Port is the emulator's port inside the container (bridge network).
const Port = "10900/tcp"

// StartupTimeout bounds how long Run waits for the emulator to listen.
const StartupTimeout = 60 * time.Second

// Container is a running acsemu container.
type Container struct {
	testcontainers.Container
	url       string // as the host dials it
	accessKey []byte
	tls       bool

	caMu sync.Mutex
	ca   []byte
}

// Run creates and starts an acsemu container from image and waits until the
// emulator listens. Generic testcontainers options may be mixed with this
// package's. On error the returned Container, if not nil, must still be
// terminated.
func Run(ctx context.Context, image string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	var s settings
	for _, o := range opts {
		if apply, ok := o.(Option); ok {
			if err := apply(&s); err != nil {
				return nil, fmt.Errorf("acsemu: %w", err)
			}
		}
	}
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	ready := &readyStrategy{timeout: StartupTimeout}
	var req []testcontainers.ContainerCustomizer
	var published string // host port in bridge mode
	if s.hostNetwork {
		// Port 0: parallel containers never collide; the emulator prints where it listens.
		req = append(req, testcontainers.WithCmd(s.serveArgs("127.0.0.1:0")...),
			testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
				hc.NetworkMode = "host"
				hc.ExtraHosts = append(hc.ExtraHosts, s.extraHosts...)
			}))
	} else {
		port, err := freeLoopbackPort()
		if err != nil {
			return nil, fmt.Errorf("acsemu: choose a host port: %w", err)
		}
		published = port
		self := scheme + "://127.0.0.1:" + port
		if s.storageURL == "" {
			s.storageURL = self
		}
		if s.publicURL == "" {
			s.publicURL = self
		}
		hosts := append([]string{"host.docker.internal:host-gateway"}, s.extraHosts...)
		req = append(req, testcontainers.WithCmd(s.serveArgs("0.0.0.0:10900")...),
			testcontainers.WithExposedPorts(Port),
			testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
				hc.ExtraHosts = append(hc.ExtraHosts, hosts...)
				hc.PortBindings = network.PortMap{network.MustParsePort(Port): {{HostIP: loopbackV4, HostPort: port}}}
			}))
	}
	if s.faultsFile != "" {
		req = append(req, testcontainers.WithFiles(testcontainers.ContainerFile{
			HostFilePath: s.faultsFile, ContainerFilePath: containerFaultsPath, FileMode: 0o444}))
	}
	// The image's HEALTHCHECK probes ACSEMU_ADDR; Run waits on the emulator's
	// own announcement instead, which also works on port 0.
	req = append(req, testcontainers.WithConfigModifier(func(c *container.Config) {
		c.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
	}), testcontainers.WithWaitStrategy(ready))
	req = append(req, opts...)

	ctr, err := testcontainers.Run(ctx, image, req...)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr, accessKey: s.accessKey, tls: s.tls}
	}
	if err != nil {
		return c, fmt.Errorf("acsemu: run %s: %w", image, err)
	}
	c.url = ready.url
	if published != "" {
		c.url = scheme + "://127.0.0.1:" + published
	}
	if c.accessKey == nil {
		c.accessKey = emulator.DevAccessKey
	}
	ctl, err := c.Control(ctx)
	if err == nil {
		_, err = ctl.Health(ctx)
	}
	if err != nil {
		return c, fmt.Errorf("acsemu: %s started but does not answer at %s: %w", image, c.url, err)
	}
	return c, nil
}

var loopbackV4 = mustAddr("127.0.0.1")

// freeLoopbackPort asks the kernel for a free port. Another process could
// take it before Docker binds it; Run then fails with Docker's error.
func freeLoopbackPort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// URL is the emulator's base URL as the host dials it.
func (c *Container) URL(ctx context.Context) (string, error) {
	if c == nil || c.url == "" {
		return "", errors.New("acsemu: container not started")
	}
	return c.url, nil
}

// ConnectionString is the ACS connection string of the emulator, for the code
// under test on the host.
func (c *Container) ConnectionString(ctx context.Context) (string, error) {
	u, err := c.URL(ctx)
	if err != nil {
		return "", err
	}
	return "endpoint=" + u + "/;accesskey=" + encodeKey(c.accessKey), nil
}

// Control returns the typed control-plane client of the emulator.
func (c *Container) Control(ctx context.Context) (*control.Client, error) {
	u, err := c.URL(ctx)
	if err != nil {
		return nil, err
	}
	hc, err := c.HTTPClient(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := control.NewClient(u, hc)
	if err != nil {
		return nil, fmt.Errorf("acsemu: %w", err)
	}
	return cl, nil
}

// HTTPClient returns a client that trusts the emulator's CA in TLS mode (and
// only it), or a plain client.
func (c *Container) HTTPClient(ctx context.Context) (*http.Client, error) {
	if !c.tls {
		return &http.Client{}, nil
	}
	pemBytes, err := c.CACertificate(ctx)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}

// CACertificate returns the PEM CA certificate of an emulator started
// WithTLS. The CA exists only in the container's memory, so the first call
// fetches it from /_emulator/ca.pem without verifying the connection (the
// emulator is on this machine, just started by Run) and every later
// connection trusts only it.
func (c *Container) CACertificate(ctx context.Context) ([]byte, error) {
	if !c.tls {
		return nil, errors.New("acsemu: CACertificate: the emulator was not started WithTLS")
	}
	c.caMu.Lock()
	defer c.caMu.Unlock()
	if c.ca != nil {
		return c.ca, nil
	}
	u, err := c.URL(ctx)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // trust on first use, see above
	boot, err := control.NewClient(u, &http.Client{Transport: tr})
	if err != nil {
		return nil, fmt.Errorf("acsemu: %w", err)
	}
	pemBytes, err := boot.CACertificate(ctx)
	if err != nil {
		return nil, fmt.Errorf("acsemu: fetch the CA certificate: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pemBytes) {
		return nil, errors.New("acsemu: the emulator's CA certificate does not parse")
	}
	c.ca = pemBytes
	return c.ca, nil
}

// readyStrategy waits until the emulator prints its connection string (it
// does once it listens) and remembers the URL in it; a container that exits
// first fails at once, with its output in the error.
type readyStrategy struct {
	timeout time.Duration
	url     string
}

// Timeout implements wait.StrategyTimeout.
func (r *readyStrategy) Timeout() *time.Duration { return &r.timeout }

// WaitUntilReady implements wait.Strategy.
func (r *readyStrategy) WaitUntilReady(ctx context.Context, target wait.StrategyTarget) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		out, err := logsOf(ctx, target)
		if err == nil {
			if u, ok := announcedURL(out); ok {
				r.url = u
				return nil
			}
		}
		state, serr := target.State(ctx)
		if serr == nil && !state.Running && state.Status != container.StateCreated {
			// The logs read above may predate the exit; once it has
			// exited they are complete, so read them again for the error.
			if final, lerr := logsOf(ctx, target); lerr == nil {
				out = final
			}
			return fmt.Errorf("the emulator exited (code %d) before listening:\n%s", state.ExitCode, out)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the emulator did not start in %s: %w\n%s", r.timeout, ctx.Err(), out)
		case <-tick.C:
		}
	}
}

// maxLogs bounds what the readiness check reads of the container's output.
const maxLogs = 1 << 20

func logsOf(ctx context.Context, target wait.StrategyTarget) (string, error) {
	rc, err := target.Logs(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLogs))
	return string(b), err
}

// announcedURL finds the endpoint in the "connection string:" line `acsemu
// serve` prints once it listens.
func announcedURL(out string) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		_, cs, ok := strings.Cut(sc.Text(), "connection string: ")
		if !ok {
			continue
		}
		for part := range strings.SplitSeq(strings.TrimSpace(cs), ";") {
			if v, ok := strings.CutPrefix(part, "endpoint="); ok {
				return strings.TrimRight(v, "/"), true
			}
		}
	}
	return "", false
}
