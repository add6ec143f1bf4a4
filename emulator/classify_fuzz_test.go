package emulator

import (
	"net/url"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// FuzzClassify: any escaped path classifies without panicking; a media
// target names a media kind, and a document id taken from an encoded slash
// keeps its slash (so serveData answers it as an unknown document).
func FuzzClassify(f *testing.F) {
	for _, p := range []string{"/v1/objects/0-eus-d1-ab/content/audio", "/v1/objects/a%2Fcontent%2Faudio", "/v1/objects/a",
		"/recording/download/a%2Fmetadata", "/v1/objects/%zz/content/video", "/calling/recordings/x"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		dr, known := classify(path)
		if known && dr.target == journal.TargetMedia && !dr.preview && !recordings.IsMediaKind(dr.kind) {
			t.Fatalf("%q: media kind %q", path, dr.kind)
		}
		if first, _, _ := strings.Cut(strings.TrimPrefix(path, "/v1/objects/"), "/"); strings.HasPrefix(path, "/v1/objects/") {
			if u, err := url.PathUnescape(first); err == nil && u != dr.docID {
				t.Fatalf("%q: document %q, want %q", path, dr.docID, u)
			}
		}
	})
}
