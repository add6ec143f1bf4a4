package scenarios_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/testcontainers/testcontainers-go"

	"github.com/acsemu/acsemu/clock"
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
	resourceImmutableID                          string
	control                                      *control.Client
	httpClient                                   *http.Client
	// server is the in-process emulator, for the few specs that read its
	// internals; nil in a container.
	server *emulator.Server
	// manual is the spec's manual clock that a container's clock follows.
	manual *clock.Manual
}

// AdvanceClock moves the emulator's clock forward through the control plane,
// as a user would. In a container that follows the spec's manual clock, the
// spec's clock moves instead and takes the container's along, so that both
// read the same time afterwards, as they do in process where they are one.
func (e *emu) AdvanceClock(ctx context.Context, d time.Duration) error {
	if e.manual != nil {
		e.manual.Advance(d)
		return nil
	}
	_, err := e.control.AdvanceClock(ctx, d)
	return err
}

func (e *emu) URL() string                 { return e.url }
func (e *emu) ConnectionString() string    { return e.connectionString }
func (e *emu) StorageBaseURL() string      { return e.storageURL }
func (e *emu) PublicURL() string           { return e.publicURL }
func (e *emu) Control() *control.Client    { return e.control }
func (e *emu) HTTPClient() *http.Client    { return e.httpClient }
func (e *emu) ResourceImmutableID() string { return e.resourceImmutableID }
func inContainer() bool                    { return testImage != "" }
func containerSkipReason(w string) string  { return "in process only (ACSEMU_TEST_IMAGE is set): " + w }

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
		publicURL: srv.PublicURL(), control: srv.Control(), httpClient: srv.HTTPClient(), server: srv,
		resourceImmutableID: srv.ResourceImmutableID()}
}

// startContainer runs testImage configured like opts. What only an
// in-process emulator can take (an injected clock...) skips the spec, saying
// why.
func startContainer(opts emulator.Options) *emu {
	GinkgoHelper()
	var manual *clock.Manual
	switch c := opts.Clock.(type) {
	case nil:
	case *clock.Manual:
		manual = c
	default:
		Skip(containerSkipReason(fmt.Sprintf("the spec gives the emulator a %T clock", c)))
	}
	if opts.Addr != "" {
		Skip(containerSkipReason("the spec needs the emulator on " + opts.Addr))
	}
	rest := opts // what the container cannot take is left over
	rest.Clock, rest.Addr, rest.Seed, rest.AccessKey, rest.StrictAuth, rest.EventTimeScale = nil, "", 0, nil, false, 0
	rest.TLS, rest.TLSHosts, rest.PublicURL, rest.StorageBaseURL, rest.StorageValidators = false, nil, "", "", false
	if !reflect.ValueOf(rest).IsZero() {
		Skip(containerSkipReason(fmt.Sprintf("the spec sets emulator options a container does not take: %+v", rest)))
	}
	o := []testcontainers.ContainerCustomizer{acsemu.WithHostNetwork(), acsemu.WithSeed(opts.Seed)}
	if opts.StorageValidators {
		o = append(o, acsemu.WithStorageValidators())
	}
	if opts.AccessKey != nil {
		o = append(o, acsemu.WithAccessKey(opts.AccessKey))
	}
	if manual != nil {
		o = append(o, acsemu.WithManualClock(manual.Now()))
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
	if manual != nil {
		followClock(manual, e.control)
		e.manual = manual
	}
	cfg, err := e.control.Config(ctx)
	Expect(err).NotTo(HaveOccurred())
	e.storageURL, e.publicURL, e.resourceImmutableID = cfg.StorageBaseURL, e.url, cfg.ResourceImmutableID
	if opts.PublicURL != "" {
		e.publicURL = strings.TrimRight(opts.PublicURL, "/")
	}
	return e
}

// followClock moves the container's manual clock with the spec's: each
// clk.Advance returns once the emulator's clock has moved as far (the
// container started at the same instant); specs that advance the emulator's
// clock call emu.AdvanceClock, which moves clk. Once the spec ends, the hook
// does nothing (goroutines still sleeping on clk may advance it).
func followClock(clk *clock.Manual, ctl *control.Client) {
	var mu sync.Mutex
	synced, done := clk.Now(), false
	clk.OnAdvance(func(now time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if done || !now.After(synced) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), containerStartTimeout)
		defer cancel()
		st, err := ctl.Clock(ctx)
		if err == nil && now.After(st.Now) {
			_, err = ctl.AdvanceClock(ctx, now.Sub(st.Now))
		}
		if err != nil {
			GinkgoWriter.Printf("moving the container's clock to %s: %v\n", now, err)
			return
		}
		synced = now
	})
	DeferCleanup(func() { mu.Lock(); done = true; mu.Unlock() })
}
