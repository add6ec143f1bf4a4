package control

import (
	"context"
	"net/http"

	"github.com/acsemu/acsemu/emulator/api"
)

// AddTokenFault makes the next rule.Count tokens (0: all until cleared) the
// emulator signs for callbacks and/or Entra-auth deliveries faulty: expired,
// wrong-signature, wrong-audience or missing.
func (c *Client) AddTokenFault(ctx context.Context, rule api.TokenFaultRule) ([]api.TokenFaultRule, error) {
	var out []api.TokenFaultRule
	return out, c.do(ctx, http.MethodPost, "tokens/faults", nil, rule, &out)
}

// TokenFaults lists the token fault rules still in force.
func (c *Client) TokenFaults(ctx context.Context) ([]api.TokenFaultRule, error) {
	var out []api.TokenFaultRule
	return out, c.do(ctx, http.MethodGet, "tokens/faults", nil, nil, &out)
}

// ClearTokenFaults removes every token fault rule.
func (c *Client) ClearTokenFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "tokens/faults", nil, nil, nil)
}
