package contract

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxWaivers bounds a waiver list (there are only a few recommendations).
const MaxWaivers = 64

// ParseWaivers reads waivers: a comma-separated list of check IDs (the
// --waive flag; reason "waived with --waive") and, if r is not nil, a file
// with one "ID reason..." per line, '#' starting a comment. The same check in
// both keeps the file's reason.
func ParseWaivers(list string, r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out[id] = "waived with --waive"
		}
	}
	if r != nil {
		sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
		for n := 1; sc.Scan(); n++ {
			line, _, _ := strings.Cut(sc.Text(), "#")
			id, reason, _ := strings.Cut(strings.TrimSpace(line), " ")
			if id == "" {
				continue
			}
			if reason = strings.TrimSpace(reason); reason == "" {
				return nil, fmt.Errorf("waivers line %d: %q has no reason: write \"%s <why your app does not need it>\"", n, id, id)
			}
			out[id] = reason
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("waivers: %w", err)
		}
	}
	if len(out) > MaxWaivers {
		return nil, fmt.Errorf("waivers: %d checks waived, at most %d", len(out), MaxWaivers)
	}
	return out, checkWaivers(out)
}

// checkWaivers refuses waivers of checks that are not recommendations.
func checkWaivers(w map[string]string) error {
	var recommended []string
	for _, c := range Checks {
		if c.Class == Recommended {
			recommended = append(recommended, c.ID)
		}
	}
	ids := make([]string, 0, len(w))
	for id := range w {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c, ok := check(id)
		switch {
		case !ok:
			return fmt.Errorf("contract: cannot waive %q: no such check; recommendations that can be waived: %s", id, strings.Join(recommended, ", "))
		case c.Class != Recommended:
			return fmt.Errorf("contract: cannot waive %q: it is %s by the service's contract, not a recommendation; waivable: %s",
				id, c.Class, strings.Join(recommended, ", "))
		}
	}
	return nil
}

// waive turns the failed recommendations the user waived into Waived, keeping
// what failed in the message.
func (r *run) waive() {
	for id, reason := range r.cfg.Waivers {
		res, ok := r.results[id]
		if !ok || res.Verdict != Fail {
			continue
		}
		res.Verdict = Waived
		res.Message = fmt.Sprintf("waived (%s): %s", reason, res.Message)
		r.results[id] = res
	}
}
