package control

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/acsemu/acsemu/emulator/api"
)

// AddFault installs a fault rule (after the existing ones) and returns it
// with its ID. A refused rule gives an *APIError 400 InvalidFaultRule whose
// message names the field.
func (c *Client) AddFault(ctx context.Context, r api.FaultRule) (api.FaultRuleStatus, error) {
	var out api.FaultRuleStatus
	return out, c.do(ctx, http.MethodPost, "faults", nil, r, &out)
}

// AddFaults installs rules atomically: if one is refused, none is added.
func (c *Client) AddFaults(ctx context.Context, rules []api.FaultRule) ([]api.FaultRuleStatus, error) {
	var out []api.FaultRuleStatus
	return out, c.do(ctx, http.MethodPost, "faults", nil, rules, &out)
}

// AddFaultsJSON installs the rules of raw JSON: one rule object or a list
// (the format of a rules file).
func (c *Client) AddFaultsJSON(ctx context.Context, body []byte) ([]api.FaultRuleStatus, error) {
	var raw []byte
	if err := c.do(ctx, http.MethodPost, "faults", nil, rawJSON(body), &raw); err != nil {
		return nil, err
	}
	if b := bytes.TrimSpace(raw); len(b) > 0 && b[0] == '{' {
		var one api.FaultRuleStatus
		err := json.Unmarshal(b, &one)
		return []api.FaultRuleStatus{one}, err
	}
	var out []api.FaultRuleStatus
	return out, json.Unmarshal(raw, &out)
}

// Faults lists the rules in evaluation order with how often each matched and fired.
func (c *Client) Faults(ctx context.Context) ([]api.FaultRuleStatus, error) {
	var out []api.FaultRuleStatus
	return out, c.do(ctx, http.MethodGet, "faults", nil, nil, &out)
}

// Fault returns one rule with its counters.
func (c *Client) Fault(ctx context.Context, id string) (api.FaultRuleStatus, error) {
	var out api.FaultRuleStatus
	return out, c.do(ctx, http.MethodGet, "faults/"+url.PathEscape(id), nil, nil, &out)
}

// DeleteFault removes one rule.
func (c *Client) DeleteFault(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "faults/"+url.PathEscape(id), nil, nil, nil)
}

// ClearFaults removes every rule.
func (c *Client) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "faults", nil, nil, nil)
}

// FaultViolations returns how many times clients came back before their
// Retry-After, and the most recent cases.
func (c *Client) FaultViolations(ctx context.Context) (api.Violations, error) {
	var out api.Violations
	return out, c.do(ctx, http.MethodGet, "faults/violations", nil, nil, &out)
}

// FiredFaults returns the faults fired after sequence number after (0: all
// kept), oldest first, downloads and deliveries alike.
func (c *Client) FiredFaults(ctx context.Context, after int64) ([]api.Fired, error) {
	var q url.Values
	if after > 0 {
		q = url.Values{"after": {strconv.FormatInt(after, 10)}}
	}
	var out []api.Fired
	return out, c.do(ctx, http.MethodGet, "faults/fired", q, nil, &out)
}
