package calling

import (
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/wire"
)

// maxActivationDelay bounds the activation delay a test may set.
const maxActivationDelay = 24 * time.Hour

func defaultSettings(activation time.Duration) api.CallSettings {
	switch {
	case activation < 0:
		return api.CallSettings{ActiveOnStart: true}
	case activation == 0:
		activation = DefaultActivationDelay
	}
	return api.CallSettings{ActivationDelay: api.Duration(activation)}
}

// Settings returns the current Call Automation settings.
func (s *Service) Settings() api.CallSettings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SetSettings changes the settings for recordings started from now on
// (PUT /_emulator/calls/settings); a control-plane reset restores the
// settings the emulator started with.
func (s *Service) SetSettings(in api.CallSettings) error {
	if d := time.Duration(in.ActivationDelay); d < 0 || d > maxActivationDelay {
		return wire.Errorf(http.StatusBadRequest, "BadRequest", "activationDelay: must be between 0 and %s, got %s", maxActivationDelay, d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = in
	return nil
}
