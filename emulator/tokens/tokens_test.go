package tokens_test

import (
	"testing"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/tokens"
)

func TestFaultRulesApplyInOrderAndRunOut(t *testing.T) {
	iss := tokens.New(clock.Real{}, func() string { return "http://issuer" })
	for _, bad := range []tokens.FaultRule{{Fault: "stale"}, {Fault: tokens.FaultExpired, Purpose: "both"}, {Fault: tokens.FaultExpired, Count: -1}} {
		if err := iss.AddFault(bad); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
	must := func(r tokens.FaultRule) {
		if err := iss.AddFault(r); err != nil {
			t.Fatal(err)
		}
	}
	must(tokens.FaultRule{Fault: tokens.FaultMissing, Purpose: tokens.ForDelivery, Count: 1})
	must(tokens.FaultRule{Fault: tokens.FaultMissing, Count: 1})
	for i, want := range []struct {
		purpose string
		missing bool
	}{{tokens.ForCallback, true}, {tokens.ForCallback, false}, {tokens.ForDelivery, true}, {tokens.ForDelivery, false}} {
		v, _, err := iss.Authorization(want.purpose, "aud")
		if err != nil {
			t.Fatal(err)
		}
		if (v == "") != want.missing {
			t.Errorf("token %d for %s: %q, missing want %v", i, want.purpose, v, want.missing)
		}
	}
	if left := iss.FaultRules(); len(left) != 0 {
		t.Errorf("rules left: %+v", left)
	}
}

// BenchmarkToken is the cost each signed callback or delivery adds (a fresh
// RS256 token per request, the key already generated).
func BenchmarkToken(b *testing.B) {
	iss := tokens.New(clock.Real{}, func() string { return "http://issuer" })
	if _, err := iss.Token("aud", tokens.FaultNone); err != nil { // the key, generated once
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Token("aud", tokens.FaultNone); err != nil {
			b.Fatal(err)
		}
	}
}
