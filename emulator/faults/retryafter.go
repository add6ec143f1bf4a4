package faults

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
)

// Retry-After bookkeeping limits.
const (
	maxRetryRecords   = 100_000
	maxViolationsKept = 1_000
)

// Violation and Violations are wire types of package api.
type (
	Violation  = api.Violation
	Violations = api.Violations
)

type retryGiven struct {
	at, until   time.Time
	value, rule string
}

// retryTracker remembers each Retry-After given; the injector's lock guards it.
type retryTracker struct {
	given  map[string]retryGiven
	count  int64
	recent []Violation
}

func (t *retryTracker) reset() { *t = retryTracker{} }

// retryKey is remote host + path.
func retryKey(remoteAddr, path string) (client, key string) {
	client = remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		client = h
	}
	return client, client + " " + path
}

// check returns a violation if a Retry-After given on key has not run out.
func (t *retryTracker) check(client, path, key string, now time.Time) (Violation, bool) {
	g, ok := t.given[key]
	if !ok {
		return Violation{}, false
	}
	if !now.Before(g.until) {
		delete(t.given, key)
		return Violation{}, false
	}
	v := Violation{Time: now, Client: client, Path: path, RetryAfter: g.value, GivenAt: g.at,
		Waited: Duration(now.Sub(g.at)), Required: Duration(g.until.Sub(g.at)), Rule: g.rule}
	t.count++
	t.recent = append(t.recent, v)
	if len(t.recent) > maxViolationsKept {
		t.recent = t.recent[len(t.recent)-maxViolationsKept:]
	}
	return v, true
}

// give records a Retry-After value (delay-seconds or an HTTP-date) sent on key.
func (t *retryTracker) give(key, value, rule string, now time.Time) {
	value = strings.TrimSpace(value)
	var until time.Time
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil && secs >= 0 && secs <= int64(365*24*time.Hour/time.Second) {
		until = now.Add(time.Duration(secs) * time.Second)
	} else if d, err := http.ParseTime(value); err == nil {
		until = d
	}
	if !until.After(now) {
		return
	}
	if t.given == nil {
		t.given = map[string]retryGiven{}
	}
	if len(t.given) >= maxRetryRecords {
		for k, g := range t.given {
			if !now.Before(g.until) {
				delete(t.given, k)
			}
		}
		if len(t.given) >= maxRetryRecords {
			return
		}
	}
	t.given[key] = retryGiven{at: now, until: until, value: value, rule: rule}
}

// violationText is the journal text of a violation.
func violationText(v Violation) string {
	return "retry-after-violation: came back after " + seconds(time.Duration(v.Waited)) + " of " + seconds(time.Duration(v.Required))
}

// Violations reports the Retry-After violations seen so far.
func (inj *Injector) Violations() Violations {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	return Violations{Count: inj.retry.count, Recent: append([]Violation{}, inj.retry.recent...)}
}
