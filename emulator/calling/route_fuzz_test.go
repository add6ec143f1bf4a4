package calling

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseRoute: any path parses without panicking, and what it accepts is
// a collection, an id (with :pause or :resume) or an id's /result, with no
// slash or colon left in the id's escaped form.
func FuzzParseRoute(f *testing.F) {
	for _, p := range []string{"/calling/recordings", "/calling/recordings/abc", "/calling/recordings/abc:pause",
		"/calling/recordings/a%2Fb/result", "/calling/recordings//result", "/calling/recordings/x:y:resume", "/calling/recordings/%zz"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		u, err := url.Parse("http://h" + path)
		if err != nil {
			return
		}
		rt, ok := parseRoute(&http.Request{URL: u})
		if !ok || rt.id == "" {
			return
		}
		if strings.Contains(rt.id, ":") || (rt.action != "" && rt.result) {
			t.Fatalf("%q parsed to %+v", path, rt)
		}
		if esc := url.PathEscape(rt.id); strings.Contains(esc, "/") {
			t.Fatalf("%q: id %q escapes with a slash", path, rt.id)
		}
	})
}
