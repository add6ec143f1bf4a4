package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/httprange"
	"github.com/acsemu/acsemu/internal/cliflag"
)

// ServeConfig is the configuration of `acsemu serve`, from flags and ACSEMU_*
// environment variables (flags win).
type ServeConfig struct {
	Addr           string
	AccessKey      []byte
	MaxClockSkew   time.Duration // 0 disables the check
	Seed           int64
	TLS            bool
	TLSHosts       []string
	CADir          string
	StorageHost    string
	StorageBaseURL string
	PublicURL      string
	StrictAuth     bool
	EventTimeScale float64
	Verbose        bool
	FaultsFile     string // JSON list of fault rules installed at start
	MalformedRange httprange.MalformedPolicy
	ManualClock    time.Time // non-zero: a manual clock starting here
	// Bounds of what the emulator holds; 0 takes the library default.
	JournalMaxBytes    int64
	MaxRecordings      int
	MaxStoredBytes     int64
	MaxUploadedBytes   int64
	EventQueueMaxBytes int64
	WriteIdleTimeout   time.Duration // negative disables
	// StorageValidators sends ETag and Last-Modified on storage downloads.
	StorageValidators bool
	ControlToken      string   // required on every control call when set
	AllowedHosts      []string // extra Host names the control plane answers
	WebhookAllow      []string // allowed subscription endpoint hosts; empty: any
}

// LoadServe reads `acsemu serve` flags from args and defaults from env.
func LoadServe(args []string, env func(string) string, stderr io.Writer) (ServeConfig, error) {
	get := func(name, def string) string {
		if v := env("ACSEMU_" + name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("acsemu serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", get("ADDR", emulator.DefaultAddr), "listen address HOST:PORT (ACSEMU_ADDR)")
	key := fs.String("access-key", get("ACCESS_KEY", emulator.DevAccessKeyBase64), "base64 access key (ACSEMU_ACCESS_KEY); the default is the documented development key")
	skew := fs.String("max-clock-skew", get("MAX_CLOCK_SKEW", emulator.DefaultMaxClockSkew.String()), "largest allowed distance between a request's signed date and the emulator clock; 0 disables the check (ACSEMU_MAX_CLOCK_SKEW)")
	seed := fs.String("seed", get("SEED", "0"), "seed of every random choice: ids, media bytes, faults; 0 picks a random one, printed at start (ACSEMU_SEED)")
	tlsOn := cliflag.Bool(fs, "tls", get("TLS", "false"), "serve HTTPS with a generated local CA (ACSEMU_TLS)")
	hosts := fs.String("tls-hosts", get("TLS_HOSTS", ""), "comma-separated extra host names for the TLS certificate, e.g. us-storage.asm.skype.com (ACSEMU_TLS_HOSTS)")
	caDir := fs.String("ca-dir", get("CA_DIR", ""), "with --tls: keep the CA in this directory (created on first start, reused after; mount it into your app's container) (ACSEMU_CA_DIR)")
	storageHost := fs.String("storage-host", get("STORAGE_HOST", ""), "host name written in event locations, e.g. us-storage.asm.skype.com: scheme and port follow from the listener, and --tls certificates include it (ACSEMU_STORAGE_HOST)")
	storage := fs.String("storage-url", get("STORAGE_URL", ""), "scheme://host[:port] written in event locations; default the emulator's URL (ACSEMU_STORAGE_URL)")
	public := fs.String("public-url", get("PUBLIC_URL", ""), "the emulator's URL as webhooks reach it (ACSEMU_PUBLIC_URL)")
	strict := cliflag.Bool(fs, "strict-auth", get("STRICT_AUTH", "false"), "accept only the documented signing scheme, not the SDK variants (ACSEMU_STRICT_AUTH)")
	scale := fs.String("event-time-scale", get("EVENT_TIME_SCALE", "1"), "multiply Event Grid retry delays by this factor (ACSEMU_EVENT_TIME_SCALE)")
	verbose := cliflag.Bool(fs, "verbose", get("VERBOSE", "false"), "log every request (ACSEMU_VERBOSE)")
	malformed := fs.String("malformed-range", get("MALFORMED_RANGE", "ignore"), "answer to a syntactically invalid Range: ignore (RFC 9110: 200 with the whole file) or reject (the real service's HTML 400) (ACSEMU_MALFORMED_RANGE)")
	manualClock := fs.String("manual-clock", get("MANUAL_CLOCK", ""), "run on a manual clock that starts at this RFC 3339 time and moves only through POST /_emulator/clock, for tests that date their own requests (ACSEMU_MANUAL_CLOCK)")
	faultsFile := fs.String("faults", get("FAULTS", ""), "JSON file with a list of fault rules to install at start (ACSEMU_FAULTS)")
	journalBytes := fs.String("journal-max-bytes", get("JOURNAL_MAX_BYTES", "32MiB"), "bytes the request journal may hold; the oldest entries go first (ACSEMU_JOURNAL_MAX_BYTES)")
	maxRecordings := fs.String("max-recordings", get("MAX_RECORDINGS", "10000"), "recordings held at most; one more answers 507 (ACSEMU_MAX_RECORDINGS)")
	storedBytes := fs.String("max-stored-bytes", get("MAX_STORED_BYTES", "1TiB"), "media bytes of all documents, synthetic or uploaded (ACSEMU_MAX_STORED_BYTES)")
	uploadedBytes := fs.String("max-uploaded-bytes", get("MAX_UPLOADED_BYTES", "2GiB"), "bytes of all uploaded documents, held in memory (ACSEMU_MAX_UPLOADED_BYTES)")
	queueBytes := fs.String("event-queue-max-bytes", get("EVENT_QUEUE_MAX_BYTES", "256MiB"), "bytes of events queued across all subscriptions; beyond, publishing answers 429 (ACSEMU_EVENT_QUEUE_MAX_BYTES)")
	idle := fs.String("write-idle-timeout", get("WRITE_IDLE_TIMEOUT", "2m"), "close a connection whose client reads nothing of a response for this long; 0 disables (ACSEMU_WRITE_IDLE_TIMEOUT)")
	validators := cliflag.Bool(fs, "storage-validators", get("STORAGE_VALIDATORS", "false"), "send ETag and Last-Modified on storage downloads; the real storage was not recorded sending them (ACSEMU_STORAGE_VALIDATORS)")
	token := fs.String("control-token", get("CONTROL_TOKEN", ""), "if set, every control-plane call must send Authorization: Bearer <token> (ACSEMU_CONTROL_TOKEN)")
	allowedHosts := fs.String("allowed-hosts", get("ALLOWED_HOSTS", ""), "comma-separated extra host names the control plane answers besides loopback (DNS rebinding protection; * allows any) (ACSEMU_ALLOWED_HOSTS)")
	webhookAllow := fs.String("webhook-allow", get("WEBHOOK_ALLOW", ""), "comma-separated hosts (host, host:port, *.domain) Event Grid subscriptions may deliver to; empty allows any (ACSEMU_WEBHOOK_ALLOW)")
	if err := fs.Parse(args); err != nil {
		return ServeConfig{}, err
	}
	if fs.NArg() > 0 {
		return ServeConfig{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var cfg ServeConfig
	var errs []error
	bad := func(name string, err error) { errs = append(errs, fmt.Errorf("--%s: %w", name, err)) }
	cfg.Addr = *addr
	if !strings.Contains(cfg.Addr, ":") {
		bad("addr", fmt.Errorf("%q is not HOST:PORT", cfg.Addr))
	}
	k, err := base64.StdEncoding.DecodeString(*key)
	switch {
	case err != nil:
		bad("access-key", fmt.Errorf("not valid base64: %v", err))
	case len(k) == 0:
		bad("access-key", errors.New("empty"))
	}
	cfg.AccessKey = k
	if cfg.MaxClockSkew, err = time.ParseDuration(*skew); err != nil || cfg.MaxClockSkew < 0 {
		bad("max-clock-skew", fmt.Errorf("%q is not a non-negative duration such as 15m or 0", *skew))
	}
	if cfg.Seed, err = strconv.ParseInt(*seed, 10, 64); err != nil {
		bad("seed", fmt.Errorf("%q is not an integer", *seed))
	}
	boolean := func(name, v string, dst *bool) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, fmt.Errorf("%q is not true or false", v))
		}
		*dst = b
	}
	boolean("tls", *tlsOn, &cfg.TLS)
	boolean("strict-auth", *strict, &cfg.StrictAuth)
	boolean("verbose", *verbose, &cfg.Verbose)
	boolean("storage-validators", *validators, &cfg.StorageValidators)
	cfg.TLSHosts = splitList(*hosts)
	cfg.ControlToken, cfg.AllowedHosts, cfg.WebhookAllow = *token, splitList(*allowedHosts), splitList(*webhookAllow)
	cfg.StorageBaseURL, cfg.PublicURL, cfg.CADir, cfg.StorageHost = *storage, *public, *caDir, strings.TrimSpace(*storageHost)
	switch *malformed {
	case "ignore":
		cfg.MalformedRange = httprange.Ignore
	case "reject":
		cfg.MalformedRange = httprange.Reject400
	default:
		bad("malformed-range", fmt.Errorf("%q is not ignore or reject", *malformed))
	}
	if cfg.FaultsFile = *faultsFile; cfg.FaultsFile != "" {
		if _, err := faults.LoadRules(cfg.FaultsFile); err != nil {
			bad("faults", err)
		}
	}
	if *manualClock != "" {
		if cfg.ManualClock, err = time.Parse(time.RFC3339Nano, *manualClock); err != nil {
			bad("manual-clock", fmt.Errorf("%q is not an RFC 3339 time such as 2025-07-01T12:00:00Z", *manualClock))
		}
	}
	size := func(name, v string, dst *int64) {
		n, err := parseBytes(v)
		if err != nil {
			bad(name, err)
		}
		*dst = n
	}
	size("journal-max-bytes", *journalBytes, &cfg.JournalMaxBytes)
	size("max-stored-bytes", *storedBytes, &cfg.MaxStoredBytes)
	size("max-uploaded-bytes", *uploadedBytes, &cfg.MaxUploadedBytes)
	size("event-queue-max-bytes", *queueBytes, &cfg.EventQueueMaxBytes)
	if n, err := strconv.Atoi(*maxRecordings); err != nil || n <= 0 {
		bad("max-recordings", fmt.Errorf("%q is not a positive integer", *maxRecordings))
	} else {
		cfg.MaxRecordings = n
	}
	if cfg.WriteIdleTimeout, err = time.ParseDuration(*idle); err != nil || cfg.WriteIdleTimeout < 0 {
		bad("write-idle-timeout", fmt.Errorf("%q is not a non-negative duration such as 2m or 0", *idle))
	} else if cfg.WriteIdleTimeout == 0 {
		cfg.WriteIdleTimeout = -1 // the library's "disabled"
	}
	if cfg.EventTimeScale, err = strconv.ParseFloat(*scale, 64); err != nil || cfg.EventTimeScale <= 0 {
		bad("event-time-scale", fmt.Errorf("%q is not a positive number", *scale))
	}
	return cfg, errors.Join(errs...)
}

// Options turns the configuration into emulator options.
func (c ServeConfig) Options() emulator.Options {
	skew := c.MaxClockSkew
	if skew == 0 {
		skew = -1 // the library's "disabled"
	}
	var clk clock.Clock
	if !c.ManualClock.IsZero() {
		clk = clock.NewManual(c.ManualClock)
	}
	return emulator.Options{Clock: clk, Addr: c.Addr, AccessKey: c.AccessKey, MaxClockSkew: skew, Seed: c.Seed, TLS: c.TLS,
		TLSHosts: c.TLSHosts, CADir: c.CADir, StorageHost: c.StorageHost, StorageBaseURL: c.StorageBaseURL, PublicURL: c.PublicURL, StrictAuth: c.StrictAuth,
		EventTimeScale: c.EventTimeScale, FaultRulesFile: c.FaultsFile, MalformedRange: c.MalformedRange,
		StorageValidators: c.StorageValidators,
		JournalMaxBytes:   c.JournalMaxBytes, MaxRecordings: c.MaxRecordings, MaxStoredBytes: c.MaxStoredBytes,
		MaxUploadedBytes: c.MaxUploadedBytes, EventQueueMaxBytes: c.EventQueueMaxBytes, WriteIdleTimeout: c.WriteIdleTimeout,
		ControlToken: c.ControlToken, AllowedHosts: c.AllowedHosts, WebhookAllowList: c.WebhookAllow}
}

// byteUnits are the suffixes parseBytes accepts, longest first.
var byteUnits = []struct {
	suffix string
	factor int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}

// parseBytes reads a positive byte count such as 32MiB, 1GB or 4096.
func parseBytes(v string) (int64, error) {
	num, factor := strings.TrimSpace(v), int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, factor = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/factor {
		return 0, fmt.Errorf("%q is not a positive size such as 32MiB, 1GB or 4096", v)
	}
	return n * factor, nil
}

// splitList reads a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}
