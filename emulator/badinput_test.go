package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
)

// do sends a request and returns the status; a transport error fails the test,
// so a hang or a dropped connection is caught by the client's timeout.
func do(t *testing.T, c *http.Client, method, url string, body []byte, header http.Header) int {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestBadInputGetsBoundedClearAnswers(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{})
	d, full := smallDoc(t, srv, time.Second)
	signed := signedClient(t, srv)
	signed.Timeout = 10 * time.Second
	plain := &http.Client{Timeout: 10 * time.Second}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	manyRanges := "bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", 10_000), ",")
	cases := []struct {
		name   string
		client *http.Client
		method string
		url    string
		body   []byte
		header http.Header
		want   int
	}{
		{"oversized header", plain, "GET", d.ContentLocation, nil, http.Header{"X-Big": {strings.Repeat("a", 100<<10)}}, http.StatusRequestHeaderFieldsTooLarge},
		{"oversized body", signed, "POST", srv.URL() + "/calling/recordings?api-version=2025-06-15", bytes.Repeat([]byte("x"), 2<<20), nil, http.StatusRequestEntityTooLarge},
		{"garbage Authorization", plain, "GET", d.ContentLocation, nil, http.Header{"Authorization": {"HMAC-SHA256 ~~ SignedHeaders===&&Signature=%%"}}, 401},
		{"huge Authorization", plain, "GET", d.ContentLocation, nil, http.Header{"Authorization": {"HMAC-SHA256 SignedHeaders=" + strings.Repeat("x;", 20_000)}}, 401},
		{"non-base64 signature", plain, "GET", d.ContentLocation, nil, http.Header{"Authorization": {"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=!!!"}}, 401},
		{"absurd range", signed, "GET", d.ContentLocation, nil, http.Header{"Range": {"bytes=99999999999999999999999-1"}}, 200},
		{"10,000 ranges", signed, "GET", d.ContentLocation, nil, http.Header{"Range": {manyRanges}}, 200},
		{"unknown path", signed, "GET", srv.URL() + "/no/such/api", nil, nil, 404},
		{"unknown path unsigned", plain, "GET", srv.URL() + "/no/such/api", nil, nil, 401},
		{"unknown method on media", signed, "PATCH", d.ContentLocation, nil, nil, 405},
		{"GET on a delete location", signed, "GET", d.DeleteLocation, nil, nil, 405},
		{"traversal in document id", signed, "GET", srv.URL() + "/v1/objects/..%2F..%2Fetc/content/audio", nil, nil, 404},
		{"unknown control route", plain, "GET", srv.URL() + "/_emulator/nope", nil, nil, 404},
		{"bad control JSON", plain, "POST", srv.URL() + "/_emulator/recordings", []byte(`{"duration":`), jsonHeader, 400},
		{"unknown control field", plain, "POST", srv.URL() + "/_emulator/recordings", []byte(`{"durationz":"1s"}`), jsonHeader, 400},
		{"absurd recording", plain, "POST", srv.URL() + "/_emulator/recordings", []byte(`{"duration":"1000h"}`), jsonHeader, 400},
		{"control POST as a form", plain, "POST", srv.URL() + "/_emulator/recordings", []byte(`{"duration":"1s"}`), http.Header{"Content-Type": {"text/plain"}}, 415},
		{"bad journal filter", plain, "GET", srv.URL() + "/_emulator/requests?status=abc", nil, nil, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := do(t, tc.client, tc.method, tc.url, tc.body, tc.header); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	// The emulator still serves after all that.
	if _, body := get(t, signed, d.ContentLocation, nil); !bytes.Equal(body, full) {
		t.Fatal("emulator no longer serves the document correctly")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	if _, err := emulator.New(emulator.Options{AccessKey: []byte{}}); err == nil {
		t.Fatal("an empty key was accepted")
	}
	srv, err := emulator.New(emulator.Options{Addr: "256.0.0.1:0"})
	if err == nil {
		srv.Close()
		t.Fatal("an impossible address was accepted")
	}
	if !strings.Contains(fmt.Sprint(err), "256.0.0.1") {
		t.Fatalf("error does not name the address: %v", err)
	}
}

func TestJournalIsDatedByTheEmulatorClockAndTimedByTheWallClock(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC))
	srv := emulatortest.Start(t, emulator.Options{Clock: clk})
	do(t, http.DefaultClient, "GET", srv.URL()+"/v1/objects/x/content/audio", nil, nil)
	es := emulatortest.AwaitRequests(t, srv, journal.Filter{Plane: journal.PlaneData}, 1) // lands when the handler returns
	if len(es) != 1 || !es[0].Time.Equal(clk.Now()) || es[0].Duration <= 0 {
		t.Fatalf("entries %+v", es)
	}
}

func TestATricklingBodyDoesNotHoldTheHandlerForever(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{BodyReadTimeout: 50 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers promise 100 bytes of body; only one ever comes.
	_, _ = io.WriteString(conn, "POST /calling/recordings?api-version=2025-06-15 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // the test's own bound
	answer, _ := io.ReadAll(conn)
	if !strings.HasPrefix(string(answer), "HTTP/1.1 400") {
		t.Fatalf("after the body deadline the emulator answered %q", answer)
	}
}
