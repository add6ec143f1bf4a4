// Package control is the typed Go client of the emulator's control plane, the
// JSON API served under the reserved prefix /_emulator/. The acsemu CLI is a thin
// layer over it, and tests use it to create recordings, read the journal and
// manage subscriptions and faults.
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
)

// maxResponse bounds what the client reads from the control plane.
const maxResponse = 64 << 20

// Client talks to one emulator's control plane.
type Client struct {
	base  *url.URL
	hc    *http.Client
	token string
}

// WithToken returns a copy of c that sends the emulator's control token
// (acsemu serve --control-token) with every call; "" sends none.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// NewClient returns a client for the emulator at baseURL (for example
// "http://127.0.0.1:10000"). A nil hc means http.DefaultClient.
func NewClient(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("control: bad base URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("control: base URL %q must be http or https", baseURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: u, hc: hc}, nil
}

// APIError is an error answered by the control plane (the clients' one error type, api.Error).
type APIError = api.Error

// IsNotFound reports whether err is a control-plane 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// rawJSON is a request body that is already JSON.
type rawJSON []byte

// do sends in (JSON, unless it is an io.Reader or nil) to path under the
// control prefix, and decodes a JSON answer into out (unless out is nil or a
// *[]byte, which receives the raw body).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + api.Prefix + strings.TrimLeft(path, "/")
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	var body io.Reader
	contentType := ""
	switch v := in.(type) {
	case nil:
	case rawJSON:
		body, contentType = bytes.NewReader(v), "application/json"
	case io.Reader:
		body, contentType = v, "application/octet-stream"
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("control: encode request: %w", err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("control: %w", err)
	}
	if contentType == "" && method != http.MethodGet && method != http.MethodHead {
		// The control plane refuses state-changing calls without a JSON
		// content type, so that browser pages cannot send them.
		contentType = "application/json"
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("control: %s %s: %w", method, u.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("control: read %s %s: %w", method, u.Path, err)
	}
	if resp.StatusCode >= 300 {
		var env struct {
			Error struct{ Code, Message, Target string } `json:"error"`
		}
		if json.Unmarshal(raw, &env) != nil || env.Error.Code == "" {
			env.Error.Code = http.StatusText(resp.StatusCode)
			env.Error.Message = strings.TrimSpace(string(raw))
		}
		return &APIError{Service: "control plane", StatusCode: resp.StatusCode, Code: env.Error.Code, Message: env.Error.Message, Target: env.Error.Target}
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = raw
		return nil
	default:
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("control: decode %s %s: %w", method, u.Path, err)
		}
		return nil
	}
}
