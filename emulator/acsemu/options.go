package acsemu

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// settings are what the options configure; Run turns them into the
// container's `acsemu serve` flags and Docker settings.
type settings struct {
	accessKey   []byte
	seed        *int64
	tls         bool
	tlsHosts    []string
	publicURL   string
	storageURL  string
	faultsFile  string
	timeScale   float64
	strictAuth  bool
	hostNetwork bool
	extraHosts  []string
	manualClock time.Time
	validators  bool
}

// Option configures the emulator in the container. Options are
// testcontainers.ContainerCustomizer values, so they mix with the generic
// ones (testcontainers.WithEnv, WithLogConsumers...) in one Run call.
type Option func(*settings) error

// Customize implements testcontainers.ContainerCustomizer; the work is done
// by Run, which reads every Option before building the request.
func (o Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// WithAccessKey sets the raw (decoded) access key; the default is the
// documented development key (emulator.DevAccessKey).
func WithAccessKey(key []byte) Option {
	return func(s *settings) error {
		if len(key) == 0 {
			return errors.New("WithAccessKey: empty key")
		}
		s.accessKey = append([]byte(nil), key...)
		return nil
	}
}

// WithSeed sets the seed of every random choice (ids, media bytes, faults).
func WithSeed(seed int64) Option {
	return func(s *settings) error { s.seed = &seed; return nil }
}

// WithTLS serves HTTPS with a CA generated in the container; extra names
// (for example us-storage.asm.skype.com) join the server certificate.
// CACertificate returns the CA; HTTPClient and Control trust it.
func WithTLS(extraHosts ...string) Option {
	return func(s *settings) error {
		for _, h := range extraHosts {
			if strings.ContainsAny(h, ", \t") || h == "" {
				return fmt.Errorf("WithTLS: bad host name %q", h)
			}
		}
		s.tls, s.tlsHosts = true, append(s.tlsHosts, extraHosts...)
		return nil
	}
}

// WithPublicURL sets the emulator's URL as webhooks reach it (the
// validationUrl of subscription handshakes).
func WithPublicURL(u string) Option {
	return func(s *settings) error { s.publicURL = u; return nil }
}

// WithStorageURL sets the scheme://host[:port] written in event and
// control-plane locations (contentLocation, metadataLocation...).
func WithStorageURL(u string) Option {
	return func(s *settings) error { s.storageURL = u; return nil }
}

// WithFaultRulesFile copies a JSON list of fault rules from the host into the
// container and installs them at start (see package emulator/faults).
func WithFaultRulesFile(path string) Option {
	return func(s *settings) error {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("WithFaultRulesFile: %w", err)
		}
		s.faultsFile = path
		return nil
	}
}

// WithEventTimeScale multiplies every Event Grid retry delay (0.001 runs the
// 24-hour schedule in about a minute and a half).
func WithEventTimeScale(scale float64) Option {
	return func(s *settings) error {
		if scale <= 0 {
			return fmt.Errorf("WithEventTimeScale: %v is not positive", scale)
		}
		s.timeScale = scale
		return nil
	}
}

// WithStrictAuth accepts only the documented signing scheme, not the SDK
// variants.
func WithStrictAuth() Option {
	return func(s *settings) error { s.strictAuth = true; return nil }
}

// WithStorageValidators sends ETag and Last-Modified on storage downloads
// (the real storage was not recorded sending them).
func WithStorageValidators() Option {
	return func(s *settings) error { s.validators = true; return nil }
}

// WithManualClock runs the emulator on a manual clock that starts at start
// and moves only when told (Control().AdvanceClock): signature dates, the
// journal, Event Grid retries and recordings all follow it. For tests that
// date their own requests or let hours pass in milliseconds.
func WithManualClock(start time.Time) Option {
	return func(s *settings) error {
		if start.IsZero() {
			return errors.New("WithManualClock: zero time")
		}
		s.manualClock = start
		return nil
	}
}

// WithHostNetwork runs the container on the host's network: the emulator
// listens on a free loopback port of the host and reaches webhooks on the
// host at 127.0.0.1. Linux only (Docker Desktop has no host network). Without
// it the container runs on Docker's bridge, publishes its port on the host's
// loopback, and reaches host webhooks at http://host.docker.internal:PORT.
func WithHostNetwork() Option {
	return func(s *settings) error { s.hostNetwork = true; return nil }
}

// WithExtraHost adds NAME:IP to the container's /etc/hosts, as docker run's
// --add-host does (IP may be Docker's "host-gateway").
func WithExtraHost(name, ip string) Option {
	return func(s *settings) error {
		if name == "" || ip == "" || strings.Contains(name, ":") {
			return fmt.Errorf("WithExtraHost: bad entry %q -> %q", name, ip)
		}
		s.extraHosts = append(s.extraHosts, name+":"+ip)
		return nil
	}
}

// containerFaultsPath is where WithFaultRulesFile's file is copied.
const containerFaultsPath = "/etc/acsemu/faults.json"

// serveArgs are the `acsemu serve` arguments for s listening on addr.
func (s settings) serveArgs(addr string) []string {
	args := []string{"serve", "--addr", addr}
	add := func(flag, v string) { args = append(args, "--"+flag, v) }
	on := func(flag string) { args = append(args, "--"+flag) } // a boolean flag
	if s.accessKey != nil {
		add("access-key", base64.StdEncoding.EncodeToString(s.accessKey))
	}
	if s.seed != nil {
		add("seed", strconv.FormatInt(*s.seed, 10))
	}
	if s.tls {
		on("tls")
		if len(s.tlsHosts) > 0 {
			add("tls-hosts", strings.Join(s.tlsHosts, ","))
		}
	}
	if s.publicURL != "" {
		add("public-url", s.publicURL)
	}
	if s.storageURL != "" {
		add("storage-url", s.storageURL)
	}
	if s.faultsFile != "" {
		add("faults", containerFaultsPath)
	}
	if s.timeScale != 0 {
		add("event-time-scale", strconv.FormatFloat(s.timeScale, 'g', -1, 64))
	}
	if s.strictAuth {
		on("strict-auth")
	}
	if s.validators {
		on("storage-validators")
	}
	if !s.manualClock.IsZero() {
		add("manual-clock", s.manualClock.UTC().Format(time.RFC3339Nano))
	}
	return args
}
