package wire

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteACSShapeKeepsExplanationOutOfBody(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, ShapeACS, &Error{Status: 401, Code: "7509", Message: "HMAC-SHA256 validation failed", Explanation: "expected \"GET\n/x\""}, "abc")
	if rec.Code != 401 {
		t.Fatalf("status %d", rec.Code)
	}
	if got, want := strings.TrimSpace(rec.Body.String()), `{"error":{"code":"7509","message":"HMAC-SHA256 validation failed"}}`; got != want {
		t.Fatalf("body %s, want %s", got, want)
	}
	if got := rec.Header().Get(ExplanationHeader); got != `expected "GET\n/x"` {
		t.Fatalf("explanation header %q", got)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
}

func TestWriteStorageShapeIsProblemDetails(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, ShapeStorage, &Error{Status: 401, Code: "Denied", Message: "x"}, "0123")
	var p map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p["title"] != "Unauthorized" || p["status"] != float64(401) || p["message"] != "Unauthorized" ||
		p["traceId"] != "00-0123" || p["instance"] != "/microsoft/ic3/ams///trace-id/00-0123" {
		t.Fatalf("problem body %v", p)
	}
	if _, has := p["error"]; has {
		t.Fatal("storage body must not carry the ACS error object")
	}
}

func TestAsWrapsPlainErrorsAs500(t *testing.T) {
	e := As(errors.New("boom"))
	if e.Status != http.StatusInternalServerError || e.Explanation != "boom" {
		t.Fatalf("%+v", e)
	}
}

func TestHeaderSafeBoundsAndEscapes(t *testing.T) {
	s := HeaderSafe(strings.Repeat("a\n", 5000))
	if len(s) > maxExplanation+3 || strings.ContainsAny(s, "\r\n") {
		t.Fatalf("unsafe header value of length %d", len(s))
	}
}
