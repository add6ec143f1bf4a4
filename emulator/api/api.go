// Package api holds the wire types of the emulator's control plane, the JSON
// API served under Prefix. It has no behaviour beyond encoding: the server
// (package emulator and its parts), the typed client (package control), the
// acsemu CLI and the Gomega matchers share it, so a program that only drives
// an emulator compiles none of the emulator's machinery.
package api

import (
	"time"

	"github.com/acsemu/acsemu/internal/jsondur"
)

// Prefix is the reserved path prefix of the control plane; the only place it is spelt.
const Prefix = "/_emulator/"

// Duration is a time.Duration that travels in JSON as a Go duration string
// ("90s", "2h30m"); a bare JSON number is read as milliseconds.
type Duration = jsondur.Duration

// MaxWait bounds the long-poll parameter ?wait= of the listings and of
// calls/recordings/{id}.
const MaxWait = time.Minute
