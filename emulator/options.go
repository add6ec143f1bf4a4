package emulator

import (
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/httprange"
)

// DevAccessKey is the documented, well-known development access key the
// emulator uses unless given another. Like Azurite's account key, it is public:
// never use it for anything real.
var DevAccessKey = []byte("acsemu well-known dev access key")

// DevAccessKeyBase64 is DevAccessKey as it appears in a connection string.
var DevAccessKeyBase64 = base64.StdEncoding.EncodeToString(DevAccessKey)

// DefaultAddr is where `acsemu serve` listens with no configuration.
const DefaultAddr = "127.0.0.1:10900"

// DefaultMaxClockSkew is the signed date's allowed distance from the emulator
// clock, as in Azure's other HMAC-signed services.
const DefaultMaxClockSkew = 15 * time.Minute

// Options configure a Server. The zero value is a working emulator on a free
// loopback port with the development key.
type Options struct {
	// Addr is the listen address; "" means 127.0.0.1:0 (a free port).
	Addr string
	// AccessKey is the raw (decoded) access key; nil means DevAccessKey.
	AccessKey []byte
	// MaxClockSkew bounds |emulator clock - signed date|. 0 means
	// DefaultMaxClockSkew; a negative value disables the check (to replay
	// captured traffic).
	MaxClockSkew time.Duration
	// StrictAuth accepts only the documented signing scheme (x-ms-date, the
	// Host header as sent, raw path and query), not the SDK variants.
	StrictAuth bool
	// Seed drives every random choice (ids, media bytes, validation codes).
	// 0 picks a random seed (Server.Seed reports it), so ids are unique
	// across runs, as the real service's are; any other value reproduces a
	// run exactly.
	Seed int64
	// Clock is the emulator's time; nil means the wall clock.
	Clock clock.Clock
	// TLS serves HTTPS with a generated local CA.
	TLS bool
	// TLSHosts are extra names for the server certificate (for example
	// us-storage.asm.skype.com, mapped to 127.0.0.1 by the user).
	TLSHosts []string
	// CADir, with TLS, keeps the local CA in this directory (tlsca.Load):
	// created on the first start, reused afterwards, so apps can trust
	// CADir/ca.pem before the emulator starts. "" makes a fresh CA per start.
	CADir string
	// StorageHost is the host name written in event and control-plane
	// locations (us-storage.asm.skype.com, which the JS SDK insists on); the
	// scheme and port are the listener's, and TLS certificates include it.
	// StorageBaseURL, if set, wins.
	StorageHost string
	// StorageBaseURL is the scheme://host[:port] written in event and control
	// plane locations (contentLocation...). "" means the server's own URL.
	StorageBaseURL string
	// PublicURL is the emulator's URL as webhooks should see it (validationUrl).
	// "" means the server's own URL.
	PublicURL string
	// EventTimeScale multiplies every Event Grid retry delay (1 = real time;
	// 0.001 runs the 24-hour schedule in about a minute and a half). 0 means 1.
	EventTimeScale float64
	// DeadLetterDir, if set, also receives Event Grid dead letters as JSON
	// files under the real layout <SUBSCRIPTION>/yyyy/M/d/H/<guid>.json.
	DeadLetterDir string
	// BodyReadTimeout bounds how long reading a data-plane request body may
	// take, so a client that trickles its body cannot hold a handler
	// (default 30 s).
	BodyReadTimeout time.Duration
	// MaxRequestBody bounds data-plane request bodies (default 1 MiB).
	MaxRequestBody int64
	// MaxUpload bounds a document uploaded through the control plane (default 512 MiB).
	MaxUpload int64
	// RecordingProcessingDelay is the recording-clock time between stopping a
	// Call Automation recording and its file (and RecordingFileStatusUpdated)
	// being ready. 0 means calling.DefaultProcessingDelay (5 s); a negative
	// value means none: the file exists when stop answers.
	RecordingProcessingDelay time.Duration
	// RecordingActivationDelay is the recording-clock time a Call Automation
	// recording stays "inactive" after start before media flows and it turns
	// "active", as recorded from the real service. 0 means
	// calling.DefaultActivationDelay (2 s); a negative value restores the
	// older behaviour: start answers "active" with a single callback.
	// PUT /_emulator/calls/settings changes it at run time.
	RecordingActivationDelay time.Duration
	// StorageValidators adds ETag and Last-Modified to storage downloads.
	// The real storage was not recorded sending them, so by default they are
	// absent; If-Range then never matches and a ranged retry gets the whole file.
	StorageValidators bool
	// FaultRulesFile names a JSON list of fault rules installed at start
	// (and again by a control-plane reset); see package faults.
	FaultRulesFile string
	// JournalCapacity bounds the request journal (default 20,000 entries, about 20 MB with their headers).
	JournalCapacity int
	// JournalMaxBytes bounds the bytes the request journal holds, whatever
	// its entries' headers (default journal.DefaultMaxBytes, 32 MiB); the
	// oldest entries go first.
	JournalMaxBytes int64
	// JournalMaxHeaderBytes bounds the header bytes kept per journal entry
	// (default journal.DefaultMaxHeaderBytes, 16 KiB); entries say what was left out.
	JournalMaxHeaderBytes int
	// MaxRecordings bounds how many recordings the emulator holds (default
	// recordings.DefaultMaxRecordings); creating one more answers 507.
	MaxRecordings int
	// MaxStoredBytes bounds the media bytes of every live document, synthetic
	// or uploaded (default recordings.DefaultMaxStoredBytes, 1 TiB; synthetic
	// media costs no memory but hashing and downloading it does).
	MaxStoredBytes int64
	// MaxUploadedBytes bounds the bytes held by uploaded documents, which do
	// live in memory (default recordings.DefaultMaxUploadedBytes, 2 GiB).
	MaxUploadedBytes int64
	// HashConcurrency bounds how many SHA-256 of media are computed at once in
	// the background (default 2).
	HashConcurrency int
	// EventQueueMaxBytes bounds the bytes of events queued across every
	// Event Grid subscription (default eventgrid.DefaultMaxTotalQueuedBytes, 256 MiB);
	// publishing beyond it answers 429, as Event Grid throttles.
	EventQueueMaxBytes int64
	// WriteIdleTimeout closes a connection whose client reads nothing of a
	// response for this long (default 2 min; negative disables). Each write
	// that makes progress extends the deadline, so a slow download completes.
	WriteIdleTimeout time.Duration
	// MalformedRange chooses how a syntactically invalid Range is answered:
	// the RFC's "ignore it, send 200" (default) or the real service's HTML 400.
	MalformedRange httprange.MalformedPolicy
	// ResourceID names the emulated ACS resource in metadata (resourceId)
	// and participant ids (8:acs:{resourceId}_{guid}); "" means a GUID from the seed.
	ResourceID string
	// ControlToken, if set, must come with every control-plane call as
	// "Authorization: Bearer <token>" (Control() sends it).
	ControlToken string
	// AllowedHosts are host names (besides loopback addresses, localhost and
	// the hosts of PublicURL, StorageBaseURL and TLSHosts) that the control
	// plane answers in the Host header; "*" allows any. Others are refused
	// as a defence against DNS rebinding.
	AllowedHosts []string
	// WebhookAllowList, if not empty, restricts Event Grid subscription
	// endpoints to these hosts ("host", "host:port" or "*.domain"). Empty
	// allows any endpoint: the emulator then calls whatever URL a control
	// client names.
	WebhookAllowList []string
	// Logger receives one line per failed request and lifecycle events; nil discards.
	Logger *slog.Logger
}
