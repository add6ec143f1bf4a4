package calling

import (
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/control"
)

// maxActivationDelay bounds the activation delay a test may set.
const maxActivationDelay = 24 * time.Hour

// SettingsPath is the control route of ServeSettings (without /_emulator/).
const SettingsPath = "calls/settings"

func defaultSettings(activation time.Duration) control.CallSettings {
	switch {
	case activation < 0:
		return control.CallSettings{ActiveOnStart: true}
	case activation == 0:
		activation = DefaultActivationDelay
	}
	return control.CallSettings{ActivationDelay: control.Duration(activation)}
}

// Settings returns the current Call Automation settings.
func (s *Service) Settings() control.CallSettings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SetSettings changes the settings for recordings started from now on.
func (s *Service) SetSettings(in control.CallSettings) error {
	if d := time.Duration(in.ActivationDelay); d < 0 || d > maxActivationDelay {
		return controlErr(http.StatusBadRequest, "BadRequest", "activationDelay: must be between 0 and %s, got %s", maxActivationDelay, d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = in
	return nil
}

// ServeSettings answers GET and PUT /_emulator/calls/settings
// (control.CallSettings): how long a started recording stays "inactive"
// before media flows, or the legacy active-on-start behaviour. A control-plane
// reset restores the settings the emulator started with.
func (s *Service) ServeSettings(r *http.Request) (int, any, error) {
	switch r.Method {
	case http.MethodGet:
		return http.StatusOK, s.Settings(), nil
	case http.MethodPut:
		var in control.CallSettings
		if err := decodeControl(r, &in, `{"activationDelay":"2s"}`); err != nil {
			return 0, nil, err
		}
		if err := s.SetSettings(in); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, s.Settings(), nil
	}
	return 0, nil, controlErr(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here; use GET or PUT", r.Method)
}
