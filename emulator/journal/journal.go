// Package journal records every request the emulator answers, so a test can
// assert what a client did on the wire ("the client asked for bytes=1048576-
// after the reset") instead of guessing from its logs.
//
// The journal is a bounded ring: when it is full the oldest entries go first,
// and Dropped says how many. Queries take a Filter whose zero value matches
// everything, WireMock-style.
package journal

import (
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
)

// DefaultCapacity is how many entries a journal keeps unless told otherwise:
// an entry holds the request headers, about 1 KB, so the default costs about 20 MB (18 MB measured with SDK-like headers).
const DefaultCapacity = 20_000

// DefaultMaxBytes bounds the bytes a journal holds unless told otherwise, so
// that entries with huge headers cannot grow it past a few tens of MB
// whatever the entry count (see Size for what is counted).
const DefaultMaxBytes = 32 << 20

// DefaultMaxHeaderBytes bounds the header bytes stored per entry: an SDK
// request carries about 1 KB, a browser's a few; what is beyond is left out
// and counted in the entry's HeadersDropped / HeaderBytesDropped.
const DefaultMaxHeaderBytes = 16 << 10

// The journal's wire types live in package api; these names keep the
// journal's own vocabulary.
type (
	Auth   = api.Auth
	Entry  = api.Entry
	Filter = api.RequestFilter
)

// Planes.
const (
	PlaneData    = api.PlaneData
	PlaneControl = api.PlaneControl
)

// Targets name what a data-plane request was for.
const (
	TargetMedia    = api.TargetMedia
	TargetMetadata = api.TargetMetadata
	TargetDelete   = api.TargetDelete
	TargetCalling  = api.TargetCalling
	TargetUnknown  = api.TargetUnknown
	TargetControl  = api.TargetControl
)

// Match reports whether e passes f.
func Match(f Filter, e *Entry) bool {
	switch {
	case f.Plane != "" && e.Plane != f.Plane,
		f.Target != "" && e.Target != f.Target,
		f.Method != "" && !strings.EqualFold(e.Method, f.Method),
		f.PathPrefix != "" && !strings.HasPrefix(e.Path, f.PathPrefix),
		f.DocumentID != "" && e.DocumentID != f.DocumentID,
		f.Status != 0 && e.Status != f.Status,
		f.RangePrefix != "" && !strings.HasPrefix(e.RangeAsked, f.RangePrefix),
		f.HasRange == "yes" && e.RangeAsked == "",
		f.HasRange == "no" && e.RangeAsked != "",
		f.Fault != "" && !strings.Contains(e.Fault, f.Fault),
		f.AfterID != 0 && e.ID <= f.AfterID:
		return false
	}
	if f.AuthOK != "" {
		ok := e.Auth != nil && e.Auth.OK
		if (f.AuthOK == "true") != ok {
			return false
		}
	}
	return true
}
