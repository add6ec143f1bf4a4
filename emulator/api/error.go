package api

import "fmt"

// Error is an answer in the {"error":{"code","message","target"}} shape, as
// the control client (package control) and the Call Automation client
// return it: one client error type for both.
type Error struct {
	// Service names who answered: "control plane" or "call automation".
	Service    string
	StatusCode int
	Code       string
	Message    string
	// Target names the offending field, when the service says.
	Target string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %d %s: %s", e.Service, e.StatusCode, e.Code, e.Message)
	if e.Target != "" {
		s += " (target " + e.Target + ")"
	}
	return s
}
