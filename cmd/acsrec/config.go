package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/client/webhook"
	"github.com/acsemu/acsemu/internal/cliflag"
)

// Config is acsrec's configuration, from flags and ACSREC_* environment
// variables (flags win).
type Config struct {
	// Command is serve, download or sign.
	Command string
	// Args are the command's arguments: document ids or locations for
	// download, the URL for sign.
	Args []string

	Listen           string
	ConnectionString signer.ConnectionString
	Out              string
	// State is the job store (default <out>/.acsrec.db).
	State      string
	AllowHosts []string
	Secret     string
	Parallel   int
	// LogFormat is text or json; Progress is auto, on or off.
	LogFormat, Progress string
	Verbose             bool
	// Delete removes each document from the service once it is on disk.
	Delete bool
	// Retention is how long finished or refused jobs stay in the job store
	// (negative: forever).
	Retention time.Duration

	// serve's authentication: the ?code= secret (generated when neither it nor
	// a token issuer is given), Event Grid's Entra ID bearer tokens, and the
	// Call Automation callback tokens.
	SecretGenerated                  bool
	OIDCIssuer, OIDCAudience         string
	CallbackIssuer, CallbackAudience string
	// InsecureNoAuth accepts unauthenticated deliveries; InsecureLenient
	// accepts deliveries without aeg-event-type or with a non-JSON body.
	InsecureNoAuth, InsecureLenient bool

	// sign
	Method     string
	Body       string
	Date       time.Time // zero: now
	ACSHost    string
	DateHeader bool
	Send       bool
}

// Usage is printed for -h and bad commands.
const Usage = `acsrec: the acsemu reference client for Azure Communication Services call recording

  acsrec serve     Event Grid webhook + durable, resumable downloader into a folder
  acsrec download  download documents now: acsrec download <documentId|contentLocation>...
  acsrec sign      print the HMAC headers and string-to-sign of a request: acsrec sign <url>

Every flag also reads ACSREC_<NAME> (upper case, '-' as '_'); flags win.
Run 'acsrec <command> -h' for the flags of a command.
`

// Load reads the command line (without the program name) and the environment.
func Load(args []string, env func(string) string, stderr io.Writer) (Config, error) {
	if len(args) == 0 {
		return Config{}, errors.New("no command: want serve, download or sign")
	}
	cfg := Config{Command: args[0]}
	switch cfg.Command {
	case "serve", "download", "sign":
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, Usage)
		return Config{}, flag.ErrHelp
	default:
		return Config{}, fmt.Errorf("unknown command %q: want serve, download or sign", cfg.Command)
	}
	get := func(name, def string) string {
		if v := env("ACSREC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("acsrec "+cfg.Command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(name, def, usage string) *string {
		return fs.String(name, get(name, def), usage+" (ACSREC_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
	}
	// Booleans are real flags (--delete, --delete=false) that never swallow
	// the next argument (sign --send URL).
	boolFlag := func(name, def, usage string) *string {
		return cliflag.Bool(fs, name, get(name, def), usage+" (ACSREC_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
	}
	conn := str("connection-string", "", "ACS connection string endpoint=https://...;accesskey=... (prefer the environment: flags show in ps)")
	allow := str("allow-hosts", "", "comma-separated hosts besides the endpoint's that downloads may use, e.g. *.asm.skype.com (any port unless the pattern names one: *.asm.skype.com:443)")
	var out, state, parallel, logFormat, progress, verbose, listen, secret, del, retention *string
	var method, body, date, acsHost, legacy, send *string
	var oidcIssuer, oidcAudience, cbIssuer, cbAudience, noAuth, lenient *string
	if cfg.Command != "sign" {
		out = str("out", "recordings", "output folder")
		state = str("state", "", "job store file (default <out>/.acsrec.db)")
		parallel = str("parallel", "4", "documents downloaded at once")
		logFormat = str("log-format", "text", "text or json")
		progress = str("progress", "auto", "progress bars: auto (on a terminal), on or off")
		verbose = boolFlag("verbose", "false", "debug logs")
		del = boolFlag("delete", "false", "delete each document from the service (its deleteLocation) once its files are on disk")
		retention = str("job-retention", "168h", "how long finished or refused jobs stay in the job store (an event for one is a duplicate meanwhile); 0 keeps them forever")
	}
	if cfg.Command == "serve" {
		listen = str("listen", "127.0.0.1:8080", "webhook listen address HOST:PORT")
		secret = str("secret", "", "shared secret Event Grid must send as ?code=<secret> (put it in the subscription's endpoint URL); without it and without --oidc-issuer, one is generated and the URL to subscribe printed")
		oidcIssuer = str("oidc-issuer", "", "require Event Grid's Entra ID bearer token from this issuer (https://login.microsoftonline.com/<tenant>/v2.0, or the emulator's URL)")
		oidcAudience = str("oidc-audience", "", "the audience those tokens must have: the subscription's azureActiveDirectoryApplicationIdOrUri")
		cbAudience = str("callback-audience", "", "accept Call Automation callbacks on POST /callbacks, whose JWT must have this audience: the ACS resource's immutable id")
		cbIssuer = str("callback-issuer", "", "issuer of the callback JWTs (default "+webhook.ACSCallbackIssuer+", or the endpoint's URL when it is not an Azure host)")
		noAuth = str("insecure-no-auth", "false", "INSECURE: accept deliveries without a secret or token (any local web page can then forge events)")
		lenient = str("insecure-lenient", "false", "INSECURE: accept deliveries without aeg-event-type or with a text/plain body (a web page can post those cross-origin)")
	}
	if cfg.Command == "sign" {
		method = str("method", "GET", "HTTP method")
		body = str("body", "", "request body ('@file' reads a file)")
		date = str("date", "", "date to sign, RFC 1123 (default now), to reproduce a signature")
		acsHost = str("acs-host", "", "sign a storage download for this ACS host, sent as x-ms-host (Call Automation SDK style); 'endpoint' means the endpoint's host")
		legacy = boolFlag("legacy-date", "false", "sign the Date header instead of x-ms-date (the 2021 quickstart)")
		send = boolFlag("send", "false", "send the request and print the status and acsemu's X-Acsemu-Explanation")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return Config{}, err
	}
	cfg.Args = fs.Args()
	var errs []error
	bad := func(name string, err error) { errs = append(errs, fmt.Errorf("--%s: %w", name, err)) }
	boolean := func(name, v string) bool {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, fmt.Errorf("%q is not true or false", v))
		}
		return b
	}
	if *conn == "" {
		bad("connection-string", errors.New("required (or ACSREC_CONNECTION_STRING)"))
	} else if cs, err := signer.ParseConnectionString(*conn); err != nil {
		bad("connection-string", err)
	} else {
		cfg.ConnectionString = cs
	}
	for _, h := range strings.Split(*allow, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.AllowHosts = append(cfg.AllowHosts, h)
		}
	}
	switch cfg.Command {
	case "sign":
		cfg.Method, cfg.Body, cfg.ACSHost = strings.ToUpper(*method), *body, *acsHost
		cfg.DateHeader, cfg.Send = boolean("legacy-date", *legacy), boolean("send", *send)
		if *date != "" {
			t, err := http.ParseTime(*date)
			if err != nil {
				bad("date", fmt.Errorf("%q is not an RFC 1123 date such as %q", *date, "Tue, 01 Jul 2025 12:34:56 GMT"))
			}
			cfg.Date = t
		}
		if len(cfg.Args) != 1 {
			errs = append(errs, errors.New("sign takes one URL"))
		}
	default:
		cfg.Out, cfg.State, cfg.LogFormat, cfg.Progress = *out, *state, *logFormat, *progress
		cfg.Verbose, cfg.Delete = boolean("verbose", *verbose), boolean("delete", *del)
		if cfg.Out == "" {
			bad("out", errors.New("empty"))
		}
		if cfg.State == "" {
			cfg.State = filepath.Join(cfg.Out, ".acsrec.db")
		}
		n, err := strconv.Atoi(*parallel)
		if err != nil || n < 1 || n > 64 {
			bad("parallel", fmt.Errorf("%q is not a number from 1 to 64", *parallel))
		}
		cfg.Parallel = n
		if cfg.Retention, err = time.ParseDuration(*retention); err != nil || cfg.Retention < 0 {
			bad("job-retention", fmt.Errorf("%q is not a non-negative duration such as 168h or 0", *retention))
		} else if cfg.Retention == 0 {
			cfg.Retention = -1 // the store's "forever"
		}
		if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
			bad("log-format", fmt.Errorf("%q: want text or json", cfg.LogFormat))
		}
		if cfg.Progress != "auto" && cfg.Progress != "on" && cfg.Progress != "off" {
			bad("progress", fmt.Errorf("%q: want auto, on or off", cfg.Progress))
		}
	}
	switch cfg.Command {
	case "serve":
		cfg.Listen, cfg.Secret = *listen, *secret
		if !strings.Contains(cfg.Listen, ":") {
			bad("listen", fmt.Errorf("%q is not HOST:PORT", cfg.Listen))
		}
		cfg.OIDCIssuer, cfg.OIDCAudience = *oidcIssuer, *oidcAudience
		if (cfg.OIDCIssuer == "") != (cfg.OIDCAudience == "") {
			bad("oidc-issuer", errors.New("--oidc-issuer and --oidc-audience go together"))
		}
		cfg.CallbackIssuer, cfg.CallbackAudience = *cbIssuer, *cbAudience
		if cfg.CallbackAudience != "" && cfg.CallbackIssuer == "" && cfg.ConnectionString.Endpoint != nil {
			cfg.CallbackIssuer = defaultCallbackIssuer(cfg.ConnectionString.Endpoint)
		}
		cfg.InsecureNoAuth, cfg.InsecureLenient = boolean("insecure-no-auth", *noAuth), boolean("insecure-lenient", *lenient)
		if cfg.Secret == "" && cfg.OIDCIssuer == "" && !cfg.InsecureNoAuth {
			cfg.Secret, cfg.SecretGenerated = generateSecret(), true
		}
		if len(cfg.Args) > 0 {
			errs = append(errs, fmt.Errorf("serve takes no arguments, got %q", cfg.Args))
		}
	case "download":
		if len(cfg.Args) == 0 {
			errs = append(errs, errors.New("download needs document ids or content locations"))
		}
	}
	return cfg, errors.Join(errs...)
}

// defaultCallbackIssuer is Call Automation's issuer for an Azure endpoint, and
// the endpoint itself otherwise (the emulator issues its own tokens).
func defaultCallbackIssuer(endpoint *url.URL) string {
	if strings.HasSuffix(strings.ToLower(endpoint.Hostname()), ".communication.azure.com") {
		return webhook.ACSCallbackIssuer
	}
	return strings.TrimRight((&url.URL{Scheme: endpoint.Scheme, Host: endpoint.Host}).String(), "/")
}

// generateSecret makes a ?code= secret: 128 random bits, URL-safe.
func generateSecret() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
