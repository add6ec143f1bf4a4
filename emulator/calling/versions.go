package calling

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"github.com/acsemu/acsemu/emulator/wire"
)

// GAVersions are the api-versions the real service lists in
// api-supported-versions on the recording routes (recorded at 2026-03-12).
var GAVersions = []string{
	"2023-03-06", "2023-10-15", "2024-04-15", "2024-06-15-preview", "2024-09-01-preview", "2024-09-15",
	"2024-11-15-preview", "2025-03-30-preview", "2025-05-15", "2025-06-15", "2025-08-15-preview", "2026-03-12",
}

// PreviewVersions are the versions a request at 2024-09-01-preview was
// answered with: that deployment also serves 2023-10-03-preview.
var PreviewVersions = []string{"2023-10-03-preview", "2024-09-01-preview"}

// ResultVersions are the versions of GET /calling/recordings/{id}/result.
var ResultVersions = []string{"2024-09-01-preview"}

// APIVersions are every api-version the recording API accepts: GAVersions
// and PreviewVersions. 2022-04-07-preview and 2023-01-15-preview were served
// once but are no longer listed, so they are refused like unknown versions.
var APIVersions = append(slices.Clone(GAVersions), "2023-10-03-preview")

// Response headers of every Call Automation answer, as recorded.
const (
	HeaderSupportedVersions = "Api-Supported-Versions"
	HeaderClientRequestID   = "X-Ms-Client-Request-Id"
	HeaderChainID           = "X-Microsoft-Skype-Chain-Id"
	HeaderCV                = "Ms-Cv"
	HeaderSkypeClient       = "X-Microsoft-Skype-Client"
	HeaderClientVersion     = "X-Ms-Client-Version"
)

// lastVersionWithoutKind is the newest api-version whose start and state
// answers have no recordingKind (recorded at 2023-10-15 and older).
const lastVersionWithoutKind = "2023-10-15"

// hasRecordingKind reports whether answers at api-version v carry recordingKind.
// Versions compare by their date prefix (2023-10-03-preview is older than 2023-10-15).
func hasRecordingKind(v string) bool {
	return len(v) >= 10 && v[:10] > lastVersionWithoutKind
}

// supportedVersions is the api-supported-versions header for a request at
// version v on the result route or another recording route.
func supportedVersions(v string, result bool) string {
	switch {
	case result:
		return strings.Join(ResultVersions, ", ")
	case slices.Contains(PreviewVersions, v):
		return strings.Join(PreviewVersions, ", ")
	}
	return strings.Join(GAVersions, ", ")
}

// checkAPIVersion refuses a missing or unknown api-version. The real
// service's answer to an unknown version is not recorded; the emulator
// answers as ASP.NET API versioning does (chosen), naming the supported ones
// in the api-supported-versions header it always sends.
func checkAPIVersion(r *http.Request, result bool) *wire.Error {
	allowed := APIVersions
	if result {
		allowed = ResultVersions
	}
	return wire.CheckAPIVersion(r, allowed, "supported api-versions: "+strings.Join(allowed, ", "))
}

// SetResponseHeaders adds the headers the real service sends on every Call
// Automation answer, errors (401 included) as well as successes: the
// supported versions, the echoed client request id, a chain id and a
// correlation vector from the seeded source, and the caller's User-Agent.
func (s *Service) SetResponseHeaders(h http.Header, r *http.Request) {
	rt, _ := parseRoute(r)
	h.Set(HeaderSupportedVersions, supportedVersions(r.URL.Query().Get("api-version"), rt.result))
	if id := r.Header.Get(HeaderClientRequestID); id != "" {
		h.Set(HeaderClientRequestID, wire.HeaderSafe(truncate(id, 256)))
	}
	h.Set(HeaderChainID, s.ids.UUID())
	h.Set(HeaderCV, base64.StdEncoding.EncodeToString(s.ids.Bytes(12))+".0")
	if ua := r.Header.Get("User-Agent"); ua != "" {
		ua = wire.HeaderSafe(truncate(ua, 512))
		h.Set(HeaderSkypeClient, ua)
		h.Set(HeaderClientVersion, ua)
	}
}
