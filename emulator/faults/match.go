package faults

import (
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/acsemu/acsemu/emulator/api"
)

// Match selects requests; empty fields match everything (api.FaultMatch).
type Match = api.FaultMatch

func validateMatch(m Match, a Action) error {
	allowed := targetsOf(a)
	switch {
	case m.Target != "" && !slices.Contains(Targets, m.Target):
		return fieldErr("target", "%q is not one of %s", m.Target, strings.Join(Targets, ", "))
	case m.Target != "" && !slices.Contains(allowed, m.Target):
		return fieldErr("target", "action %s applies to %s, not %s", a.Kind(), strings.Join(allowed, ", "), m.Target)
	case m.Method != "" && !validToken(m.Method):
		return fieldErr("method", "%q is not an HTTP method", m.Method)
	case m.Range != "" && m.Range != "present" && m.Range != "absent":
		return fieldErr("range", "%q: use present or absent", m.Range)
	}
	delivery := m.Target == TargetDelivery || slices.Equal(allowed, deliveryTargets)
	switch {
	case m.Subscription != "" && !delivery:
		return fieldErr("subscription", "only delivery rules match a subscription")
	case m.Document != "" && delivery:
		return fieldErr("document", "delivery rules cannot match a document")
	}
	for _, p := range [][2]string{{"path", m.Path}, {"document", m.Document}} {
		if _, err := path.Match(p[1], ""); err != nil {
			return fieldErr(p[0], "%q is not a valid pattern: %v", p[1], err)
		}
	}
	for name, pat := range m.Header {
		if !validToken(name) {
			return fieldErr("header", "%q is not a header name", name)
		}
		if _, err := path.Match(pat, ""); err != nil {
			return fieldErr("header."+name, "%q is not a valid pattern: %v", pat, err)
		}
	}
	return nil
}

func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// view is what matching looks at, for a data-plane request or a delivery.
type view struct {
	target, method, path, document, subscription string
	header                                       http.Header
}

// matches reports whether m selects v, given the targets the action applies
// to. With no target, a rule matches the data-plane requests its action
// applies to, or the deliveries if it applies to nothing else.
func matches(m Match, v *view, allowed []string) bool {
	implicit := slices.Contains(allowed, v.target) &&
		(v.target != TargetDelivery || slices.Equal(allowed, deliveryTargets))
	switch {
	case m.Target != "" && m.Target != v.target,
		m.Target == "" && !implicit,
		m.Method != "" && !strings.EqualFold(m.Method, v.method),
		m.Subscription != "" && !strings.EqualFold(m.Subscription, v.subscription),
		m.Range == "present" && v.header.Get("Range") == "",
		m.Range == "absent" && v.header.Get("Range") != "",
		!glob(m.Path, v.path),
		!glob(m.Document, v.document):
		return false
	}
	for name, pat := range m.Header {
		vals := v.header.Values(name)
		if len(vals) == 0 || !glob(pat, strings.Join(vals, ", ")) {
			return false
		}
	}
	return true
}

func glob(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, s)
	return ok
}
