// Package calling is a client of the Call Automation recording API (start,
// state, pause, resume, stop), shaped as the official SDKs send it, and
// Simulate, which plays a whole call against an acsemu emulator through that
// API and the control plane. It depends on nothing of the emulator but its
// wire types (emulator/api), so it works against a running emulator, acsemu in
// a container, or the real service.
package calling

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
)

// Client calls the Call Automation recording API the way the official SDKs
// do (same paths, headers and bodies), against acsemu or the real service.
// It does not sign: give it an HTTP client that does, such as
// signer.New(cs).Client() from package client/signer.
type Client struct {
	// Endpoint is the ACS endpoint, e.g. https://contoso.communication.azure.com.
	Endpoint string
	// HTTP sends the requests; it must sign them.
	HTTP *http.Client
	// APIVersion defaults to api.CallAutomationAPIVersion.
	APIVersion string
	// NewRequestID makes Repeatability-Request-ID values; nil means random UUIDs.
	NewRequestID func() string
}

// APIError is an error answered by the recording API (the clients' one error type, api.Error).
type APIError = api.Error

// Start starts a recording, as CallRecording.start of the JS SDK does
// (repeatable: the same Repeatability-Request-ID on every retry).
func (c *Client) Start(ctx context.Context, req api.StartRecordingRequest) (api.RecordingStateResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return api.RecordingStateResponse{}, err
	}
	newID := c.NewRequestID
	if newID == nil {
		newID = randomUUID
	}
	h := http.Header{
		"Content-Type":                   {"application/json"},
		api.HeaderRepeatabilityRequestID: {newID()},
		api.HeaderRepeatabilityFirstSent: {time.Now().UTC().Format(http.TimeFormat)},
	}
	var out api.RecordingStateResponse
	return out, c.do(ctx, http.MethodPost, "", body, h, http.StatusOK, &out)
}

// State returns a recording's state.
func (c *Client) State(ctx context.Context, id string) (api.RecordingStateResponse, error) {
	var out api.RecordingStateResponse
	return out, c.do(ctx, http.MethodGet, "/"+url.PathEscape(id), nil, nil, http.StatusOK, &out)
}

// Pause pauses a recording.
func (c *Client) Pause(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodPost, "/"+url.PathEscape(id)+":pause", nil, nil, http.StatusAccepted, nil)
}

// Resume resumes a paused recording.
func (c *Client) Resume(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodPost, "/"+url.PathEscape(id)+":resume", nil, nil, http.StatusAccepted, nil)
}

// Stop stops a recording; its file follows as a RecordingFileStatusUpdated event.
func (c *Client) Stop(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/"+url.PathEscape(id), nil, nil, http.StatusNoContent, nil)
}

func (c *Client) do(ctx context.Context, method, suffix string, body []byte, h http.Header, want int, out any) error {
	v := c.APIVersion
	if v == "" {
		v = api.CallAutomationAPIVersion
	}
	u := strings.TrimRight(c.Endpoint, "/") + api.CallRecordingPath + suffix + "?api-version=" + url.QueryEscape(v)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("call automation: %w", err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("call automation: %s %s: %w", method, api.CallRecordingPath+suffix, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("call automation: read %s %s: %w", method, api.CallRecordingPath+suffix, err)
	}
	if resp.StatusCode != want {
		var env struct {
			Error struct{ Code, Message, Target string } `json:"error"`
		}
		if json.Unmarshal(raw, &env) != nil || env.Error.Code == "" {
			env.Error.Code, env.Error.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(raw))
		}
		return &APIError{Service: "call automation", StatusCode: resp.StatusCode, Code: env.Error.Code, Message: env.Error.Message, Target: env.Error.Target}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("call automation: decode %s %s: %w", method, api.CallRecordingPath+suffix, err)
		}
	}
	return nil
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CommunicationUser returns the identifier the JS SDK sends for an ACS user id ("8:acs:...").
func CommunicationUser(id string) api.Identifier {
	return api.Identifier{Kind: "communicationUser", RawID: id, CommunicationUser: &api.IDModel{ID: id}}
}
