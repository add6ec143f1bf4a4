package scenarios_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/testcontainers/testcontainers-go"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/acsemu"
	"github.com/acsemu/acsemu/emulator/control"
)

// testImage switches every suite to a container: with ACSEMU_TEST_IMAGE set
// (for example to acsemu:dev, which `make image` builds), startEmulator runs
// that image with host networking instead of an in-process emulator. The
// reference client and the test webhooks stay on the host, so events cross
// from the container to them as they would in a user's CI.
var testImage = os.Getenv("ACSEMU_TEST_IMAGE")

// containerStartTimeout bounds starting one emulator container.
const containerStartTimeout = 2 * time.Minute

// emu is the emulator a spec talks to, over HTTP only, whichever way it runs.
type emu struct {
	url, connectionString, storageURL, publicURL string
	control                                      *control.Client
	httpClient                                   *http.Client
	// server is the in-process emulator, for the few specs that read its
	// internals; nil in a container.
	server *emulator.Server
}

func (e *emu) URL() string                { return e.url }
func (e *emu) ConnectionString() string   { return e.connectionString }
func (e *emu) StorageBaseURL() string     { return e.storageURL }
func (e *emu) PublicURL() string          { return e.publicURL }
func (e *emu) Control() *control.Client   { return e.control }
func (e *emu) HTTPClient() *http.Client   { return e.httpClient }
func inContainer() bool                   { return testImage != "" }
func containerSkipReason(w string) string { return "in process only (ACSEMU_TEST_IMAGE is set): " + w }

// startEmulator starts an emulator for the spec and stops it when the spec ends.
func startEmulator(opts emulator.Options) *emu {
	GinkgoHelper()
	if inContainer() {
		return startContainer(opts)
	}
	srv, err := emulator.New(opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(srv.Close)
	return &emu{url: srv.URL(), connectionString: srv.ConnectionString(), storageURL: srv.StorageBaseURL(),
		publicURL: srv.PublicURL(), control: srv.Control(), httpClient: srv.HTTPClient(), server: srv}
}

// startContainer runs testImage configured like opts. What only an
// in-process emulator can take (an injected clock...) skips the spec, saying
// why.
func startContainer(opts emulator.Options) *emu {
	GinkgoHelper()
	if opts.Clock != nil {
		Skip(containerSkipReason("the spec drives the emulator's clock"))
	}
	if opts.Addr != "" {
		Skip(containerSkipReason("the spec needs the emulator on " + opts.Addr))
	}
	o := []testcontainers.ContainerCustomizer{acsemu.WithHostNetwork(), acsemu.WithSeed(opts.Seed)}
	if opts.AccessKey != nil {
		o = append(o, acsemu.WithAccessKey(opts.AccessKey))
	}
	if opts.StrictAuth {
		o = append(o, acsemu.WithStrictAuth())
	}
	if opts.EventTimeScale != 0 {
		o = append(o, acsemu.WithEventTimeScale(opts.EventTimeScale))
	}
	if opts.TLS {
		o = append(o, acsemu.WithTLS(opts.TLSHosts...))
	}
	if opts.PublicURL != "" {
		o = append(o, acsemu.WithPublicURL(opts.PublicURL))
	}
	if opts.StorageBaseURL != "" {
		o = append(o, acsemu.WithStorageURL(opts.StorageBaseURL))
	}
	ctx, cancel := context.WithTimeout(context.Background(), containerStartTimeout)
	defer cancel()
	ctr, err := acsemu.Run(ctx, testImage, o...)
	DeferCleanup(func() { Expect(testcontainers.TerminateContainer(ctr)).To(Succeed()) })
	Expect(err).NotTo(HaveOccurred())
	e := &emu{}
	e.url, err = ctr.URL(ctx)
	Expect(err).NotTo(HaveOccurred())
	e.connectionString, err = ctr.ConnectionString(ctx)
	Expect(err).NotTo(HaveOccurred())
	e.control, err = ctr.Control(ctx)
	Expect(err).NotTo(HaveOccurred())
	e.httpClient, err = ctr.HTTPClient(ctx)
	Expect(err).NotTo(HaveOccurred())
	cfg, err := e.control.Config(ctx)
	Expect(err).NotTo(HaveOccurred())
	e.storageURL, e.publicURL = cfg.StorageBaseURL, e.url
	if opts.PublicURL != "" {
		e.publicURL = strings.TrimRight(opts.PublicURL, "/")
	}
	return e
}
