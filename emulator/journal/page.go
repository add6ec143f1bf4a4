package journal

import (
	"net/url"
	"strconv"

	"github.com/acsemu/acsemu/emulator/api"
)

// MaxPage is the most entries one listing returns: at the per-entry header
// bound an entry is at most about 17 KB of JSON, so a page stays within a
// few MB however large the journal.
const MaxPage = api.MaxRequestsPage

// List returns one page of the entries matching f, oldest first. With
// f.Limit set it is Query: the newest f.Limit matches (at most MaxPage). With
// f.Limit 0 it is the oldest MaxPage matches after f.AfterID, and next is the
// cursor for the following page (the last ID returned; 0 when nothing is left),
// to pass back as AfterID.
func (j *Journal) List(f Filter) (page []Entry, next int64) {
	if f.Limit > 0 {
		f.Limit = min(f.Limit, MaxPage)
		return j.Query(f), 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	page = []Entry{}
	live := j.liveAfter(f.AfterID)
	for i := range live {
		e := &live[i]
		if !Match(f, e) {
			continue
		}
		if len(page) == MaxPage {
			return page, page[len(page)-1].ID
		}
		page = append(page, *e)
	}
	return page, 0
}

// NextLink is the RFC 8288 Link header value pointing at the page after the
// one listed at u (the same filter with afterId=next).
func NextLink(u *url.URL, next int64) string {
	q := u.Query()
	q.Set("afterId", strconv.FormatInt(next, 10))
	return "<" + u.Path + "?" + q.Encode() + `>; rel="next"`
}
