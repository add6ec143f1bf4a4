package webhook_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/client/jobs"
	"github.com/acsemu/acsemu/client/webhook"
)

// tokenList accepts the tokens it holds.
type tokenList []string

func (l tokenList) Verify(_ context.Context, raw string) error {
	for _, t := range l {
		if t == raw {
			return nil
		}
	}
	return errors.New("oidc: token is expired")
}

// countingReader records whether the handler read the body.
type countingReader struct{ reads int }

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return 0, errors.New("the body should not have been read")
}

// A request that fails authentication is answered 401 without reading its
// body: forged deliveries cost nothing and queue nothing.
func TestUnauthenticatedRequestsCostNoWork(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   webhook.Options
		target string
		auth   string
	}{
		{"no secret", webhook.Options{Secret: "s"}, "/", ""},
		{"no token", webhook.Options{Tokens: tokenList{"good"}}, "/", ""},
		{"expired token", webhook.Options{Tokens: tokenList{"good"}}, "/", "Bearer stale"},
		{"secret without the token", webhook.Options{Secret: "s", Tokens: tokenList{"good"}}, "/?code=s", ""},
		{"token without the secret", webhook.Options{Secret: "s", Tokens: tokenList{"good"}}, "/", "Bearer good"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			body := &countingReader{}
			req := httptest.NewRequest("POST", tc.target, body)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("aeg-event-type", "Notification")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			webhook.New(store, tc.opts).ServeHTTP(w, req)
			if w.Code != 401 || body.reads != 0 || w.Header().Get("WWW-Authenticate") == "" {
				t.Fatalf("%d after %d body reads: %s", w.Code, body.reads, w.Body)
			}
		})
	}
	store := newStore(t)
	h := webhook.New(store, webhook.Options{Secret: "s", Tokens: tokenList{"good"}})
	w := send(h, "POST", "/?code=s", "["+egEvent("e1", recordingData("https://h", "doc-a"))+"]", "Authorization", "Bearer good")
	if w.Code != 200 {
		t.Fatalf("with both: %d %s", w.Code, w.Body)
	}
	if n, _ := store.Counts(); n[jobs.Pending] != 1 {
		t.Fatalf("jobs %v", n)
	}
}

// A web page can POST text/plain cross-origin without a preflight; only the
// explicit Lenient option accepts such a request.
func TestCrossOriginShapedPostsNeedLenient(t *testing.T) {
	good := "[" + egEvent("e1", recordingData("https://h", "doc-a")) + "]"
	strict := webhook.New(newStore(t), webhook.Options{})
	if w := send(strict, "POST", "/", good, "Content-Type", "text/plain", "aeg-event-type", ""); w.Code != 415 {
		t.Fatalf("strict: %d", w.Code)
	}
	lenient := webhook.New(newStore(t), webhook.Options{Lenient: true})
	if w := send(lenient, "POST", "/", good, "Content-Type", "text/plain", "aeg-event-type", ""); w.Code != 200 {
		t.Fatalf("lenient: %d %s", w.Code, w.Body)
	}
	if w := send(strict, "POST", "/", good, "aeg-event-type", ""); w.Code != 400 || !strings.Contains(w.Body.String(), "aeg-event-type") {
		t.Fatalf("no aeg-event-type: %d %s", w.Code, w.Body)
	}
}
