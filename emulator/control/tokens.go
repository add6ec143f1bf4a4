package control

import (
	"context"
	"net/http"

	"github.com/acsemu/acsemu/emulator/tokens"
)

// AddTokenFault makes the next rule.Count tokens (0: all until cleared) the
// emulator signs for callbacks and/or Entra-auth deliveries faulty: expired,
// wrong-signature, wrong-audience or missing.
func (c *Client) AddTokenFault(ctx context.Context, rule tokens.FaultRule) ([]tokens.FaultRule, error) {
	var out []tokens.FaultRule
	return out, c.do(ctx, http.MethodPost, "tokens/faults", nil, rule, &out)
}

// TokenFaults lists the token fault rules still in force.
func (c *Client) TokenFaults(ctx context.Context) ([]tokens.FaultRule, error) {
	var out []tokens.FaultRule
	return out, c.do(ctx, http.MethodGet, "tokens/faults", nil, nil, &out)
}

// ClearTokenFaults removes every token fault rule.
func (c *Client) ClearTokenFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "tokens/faults", nil, nil, nil)
}
