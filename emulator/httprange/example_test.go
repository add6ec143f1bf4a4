package httprange_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/httprange"
)

func Example() {
	obj := httprange.Object{
		Content:      strings.NewReader("RIFF....WAVEfmt "),
		Size:         16,
		ContentType:  "audio/wav",
		ETag:         `"doc-1"`,
		LastModified: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC),
	}
	// A client resumes after the 8 bytes it already has.
	r := httptest.NewRequest(http.MethodGet, "/v1/objects/doc-1/content/audio", nil)
	r.Header.Set("Range", "bytes=8-")
	r.Header.Set("If-Range", `"doc-1"`)
	w := httptest.NewRecorder()
	d := httprange.Serve(w, r, obj, httprange.Options{})
	fmt.Printf("%d %s %q\n", w.Code, w.Header().Get("Content-Range"), w.Body.String())
	fmt.Println(d.Asked, d.Outcome, d.Served, d.BytesSent)

	// What the JS SDK 1.5.1 sent, under the real service's policy.
	p, err := httprange.Options{MalformedPolicy: httprange.Reject400}.Parse("bytes=undefined", obj.Size)
	fmt.Println(p.Outcome, p.Status, err)
	// Output:
	// 206 bytes 8-15/16 "WAVEfmt "
	// bytes=8- single [{8 15}] 8
	// malformed 400 malformed Range header: range-spec "undefined" has no "-"
}
