package faults_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/httprange"
)

// A download handler with an injector in its path: the first request is
// reset after 40% of the body, the second gets a 503 with Retry-After, the
// third, which comes back too early, succeeds and is flagged.
func Example() {
	rules, err := faults.ParseRules([]byte(`[
		{"id":"cut","match":{"target":"media"},"when":{"times":1},"action":{"type":"reset","afterPercent":40}},
		{"id":"busy","match":{"target":"media"},"when":{"times":1},"action":{"type":"status","status":503,"retryAfter":2}}
	]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	clk := clock.NewManual(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	inj, err := faults.New(faults.Options{Seed: 1, Rules: rules, Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer inj.Close()
	media := bytes.Repeat([]byte("acsemu"), 10_000)
	notes := make(chan string, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := inj.Begin(r, faults.Request{Target: "media", DocumentID: "doc-1"})
		defer func() { notes <- call.Finish(w) }()
		if call.Before(w) {
			return
		}
		obj := httprange.Object{Content: bytes.NewReader(media), Size: int64(len(media)), ETag: `"v1"`}
		var opts httprange.Options
		httprange.Serve(call.Download(w, &obj, &opts), r, obj, opts)
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	for range 3 {
		resp, err := client.Get(srv.URL + "/v1/objects/doc-1/content/audio")
		if err != nil {
			fmt.Println(err)
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d, %d bytes, reset: %v, Retry-After %q\n", resp.StatusCode, len(body), errors.Is(err, syscall.ECONNRESET), resp.Header.Get("Retry-After"))
		fmt.Println("  journal:", <-notes)
		clk.Advance(1500 * time.Millisecond) // the client retries too early
	}
	// Output:
	// 200, 24000 bytes, reset: true, Retry-After ""
	//   journal: cut reset: connection reset (TCP RST) after 24000 of 60000 body bytes
	// 503, 0 bytes, reset: false, Retry-After "2"
	//   journal: busy status: answered 503 with Retry-After: 2
	// 200, 60000 bytes, reset: false, Retry-After ""
	//   journal: retry-after-violation: came back after 1.5s of 2s
}
