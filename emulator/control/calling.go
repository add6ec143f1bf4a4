package control

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
)

// Clock returns the recording clock.
func (c *Client) Clock(ctx context.Context) (api.ClockState, error) {
	var st api.ClockState
	return st, c.do(ctx, http.MethodGet, "clock", nil, nil, &st)
}

// AdvanceClock moves the recording clock forward by d (see ClockState.Manual).
func (c *Client) AdvanceClock(ctx context.Context, d time.Duration) (api.ClockState, error) {
	var st api.ClockState
	return st, c.do(ctx, http.MethodPost, "clock", nil, api.ClockAdvance{Advance: api.Duration(d)}, &st)
}

// CallSettings returns the Call Automation settings.
func (c *Client) CallSettings(ctx context.Context) (api.CallSettings, error) {
	var out api.CallSettings
	return out, c.do(ctx, http.MethodGet, "calls/settings", nil, nil, &out)
}

// SetCallSettings replaces the Call Automation settings for recordings started from now on.
func (c *Client) SetCallSettings(ctx context.Context, in api.CallSettings) (api.CallSettings, error) {
	var out api.CallSettings
	return out, c.do(ctx, http.MethodPut, "calls/settings", nil, in, &out)
}

// CallRecordings lists the recordings started through the Call Automation API.
func (c *Client) CallRecordings(ctx context.Context) ([]api.CallRecording, error) {
	var out []api.CallRecording
	return out, c.do(ctx, http.MethodGet, "calls/recordings", nil, nil, &out)
}

// CallRecording returns one Call Automation recording. With wait > 0 the
// emulator holds the answer until the recording is processed or wait (real
// time, at most a minute) has passed.
func (c *Client) CallRecording(ctx context.Context, id string, wait time.Duration) (api.CallRecording, error) {
	var q url.Values
	if wait > 0 {
		q = url.Values{"wait": {wait.String()}}
	}
	var out api.CallRecording
	return out, c.do(ctx, http.MethodGet, "calls/recordings/"+url.PathEscape(id), q, nil, &out)
}
