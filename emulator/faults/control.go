package faults

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/acsemu/acsemu/emulator/wire"
)

// ServeControl answers the fault routes of the control plane. path is the
// request path after /_emulator/ (it starts with "faults"); the results
// follow the control plane's convention: a status and a value to encode as
// JSON, or a *wire.Error.
//
//	POST   /_emulator/faults             add a rule (201, RuleStatus) or a list of rules (201, []RuleStatus)
//	GET    /_emulator/faults             list the rules with their counters
//	DELETE /_emulator/faults             remove every rule (204)
//	GET    /_emulator/faults/{id}        one rule
//	DELETE /_emulator/faults/{id}        remove it (204)
//	GET    /_emulator/faults/violations  Retry-After violations (Violations)
//	GET    /_emulator/faults/fired       fired faults (?after=SEQ), oldest first
func (inj *Injector) ServeControl(r *http.Request, path string) (int, any, error) {
	rest, ok := strings.CutPrefix(strings.Trim(path, "/"), "faults")
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return 0, nil, wire.Errorf(http.StatusNotFound, "NotFound", "no control-plane route for %s %s", r.Method, r.URL.Path)
	}
	id := strings.TrimPrefix(rest, "/")
	switch {
	case id == "":
		switch r.Method {
		case http.MethodGet:
			return http.StatusOK, inj.Rules(), nil
		case http.MethodPost:
			return inj.create(r)
		case http.MethodDelete:
			inj.Clear()
			return http.StatusNoContent, nil, nil
		}
		return 0, nil, notAllowed(r, "GET, POST or DELETE")
	case id == "violations":
		if r.Method != http.MethodGet {
			return 0, nil, notAllowed(r, "GET")
		}
		return http.StatusOK, inj.Violations(), nil
	case id == "fired":
		if r.Method != http.MethodGet {
			return 0, nil, notAllowed(r, "GET")
		}
		after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		if err != nil && r.URL.Query().Get("after") != "" {
			return 0, nil, wire.Errorf(http.StatusBadRequest, "BadRequest", "after: not an integer")
		}
		return http.StatusOK, inj.Fired(after), nil
	case strings.Contains(id, "/"):
		return 0, nil, wire.Errorf(http.StatusNotFound, "NotFound", "no control-plane route for %s %s", r.Method, r.URL.Path)
	}
	switch r.Method {
	case http.MethodGet:
		if st, ok := inj.Rule(id); ok {
			return http.StatusOK, st, nil
		}
	case http.MethodDelete:
		if inj.Delete(id) {
			return http.StatusNoContent, nil, nil
		}
	default:
		return 0, nil, notAllowed(r, "GET or DELETE")
	}
	return 0, nil, wire.Errorf(http.StatusNotFound, "NotFound", "no fault rule %q", id)
}

func (inj *Injector) create(r *http.Request) (int, any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRulesFile+1))
	if err != nil {
		return 0, nil, wire.Errorf(http.StatusBadRequest, "BadRequest", "could not read the body: %v", err)
	}
	if len(body) > maxRulesFile {
		return 0, nil, wire.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "rules are limited to %d bytes", maxRulesFile)
	}
	rules, err := ParseRules(body)
	if err != nil {
		return 0, nil, invalidRule(err)
	}
	list := bytes.HasPrefix(bytes.TrimSpace(body), []byte("["))
	var out []RuleStatus
	if list {
		out, err = inj.AddAll(rules)
	} else {
		var st RuleStatus
		st, err = inj.Add(rules[0])
		out = []RuleStatus{st}
	}
	if err != nil {
		return 0, nil, invalidRule(err)
	}
	if list {
		return http.StatusCreated, out, nil
	}
	return http.StatusCreated, out[0], nil
}

// invalidRule is the 400 naming the refused field.
func invalidRule(err error) *wire.Error {
	var fe *FieldError
	if errors.As(err, &fe) {
		msg := fe.Message
		if fe.Field != "" {
			msg = fe.Field + ": " + msg
		}
		return &wire.Error{Status: http.StatusBadRequest, Code: "InvalidFaultRule", Target: fe.Field, Message: msg}
	}
	return &wire.Error{Status: http.StatusBadRequest, Code: "InvalidFaultRule", Message: err.Error()}
}

func notAllowed(r *http.Request, allowed string) *wire.Error {
	return wire.Errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here; use %s", r.Method, allowed)
}
