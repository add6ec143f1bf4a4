package faults

import (
	"strconv"
	"strings"

	"github.com/acsemu/acsemu/emulator/httprange"
)

func init() { register("etag-change", func() Action { return &ETagChange{} }) }

// ETagChange makes the object look changed: the response carries another
// strong ETag, and If-Range, If-Match and If-None-Match are judged against
// it (so a resume with the old ETag gets a 200 with the whole file). The
// bytes stay the same. Without Each every firing uses one changed ETag; with
// Each each firing gets its own. To change it from the n-th request on, use
// when.skip.
type ETagChange struct {
	Each bool `json:"each,omitempty"`
}

func (*ETagChange) Kind() string      { return "etag-change" }
func (*ETagChange) targets() []string { return downloadTargets }
func (*ETagChange) Validate() error   { return nil }

type etagEffect struct {
	each bool
	n    int64
}

func (e *ETagChange) fire(f *firing) effect { return etagEffect{each: e.Each, n: f.n} }

func (e etagEffect) object(c *Call, obj *httprange.Object, _ *httprange.Options) {
	old := obj.ETag
	base := strings.Trim(strings.TrimPrefix(old, "W/"), `"`)
	if base == "" {
		base = "acsemu"
	}
	tag := base + "-changed"
	if e.each {
		tag += "-" + strconv.FormatInt(e.n, 10)
	}
	obj.ETag = `"` + tag + `"`
	c.note("ETag %s instead of %s", obj.ETag, old)
}
