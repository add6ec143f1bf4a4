// Package clock is the emulator's name for internal/clock, the one package
// of time (Clock, Real, Manual, Offset and the Advancing interface) that the
// emulator and the reference client share. New code imports internal/clock;
// this facade keeps the emulator's many importers (and branches in flight)
// compiling, and is removed once they have moved.
package clock

import (
	"time"

	"github.com/acsemu/acsemu/internal/clock"
)

type (
	Clock     = clock.Clock
	Advancing = clock.Advancing
	Real      = clock.Real
	Manual    = clock.Manual
	Offset    = clock.Offset
)

// NewManual returns a Manual clock set to start.
func NewManual(start time.Time) *Manual { return clock.NewManual(start) }

// NewOffset returns a clock equal to base until advanced.
func NewOffset(base Clock) *Offset { return clock.NewOffset(base) }
