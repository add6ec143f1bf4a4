package faults

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/acsemu/acsemu/emulator/wire"
)

// AddJSON installs the rules of a body of POST /_emulator/faults: one rule
// object (answered as one RuleStatus) or a list, added atomically (answered
// as []RuleStatus). A refused rule is a 400 InvalidFaultRule naming the field.
func (inj *Injector) AddJSON(body []byte) (any, error) {
	if len(body) > maxRulesFile {
		return nil, wire.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "rules are limited to %d bytes", maxRulesFile)
	}
	rules, err := ParseRules(body)
	if err != nil {
		return nil, invalidRule(err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		st, err := inj.Add(rules[0])
		if err != nil {
			return nil, invalidRule(err)
		}
		return st, nil
	}
	out, err := inj.AddAll(rules)
	if err != nil {
		return nil, invalidRule(err)
	}
	return out, nil
}

// MaxRulesBody bounds a body of POST /_emulator/faults (as a rules file).
const MaxRulesBody = maxRulesFile

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
