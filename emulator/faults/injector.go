package faults

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/acsemu/acsemu/clock"
)

// Options configure an Injector. The zero value works: no rules, seed 0,
// the wall clock.
type Options struct {
	// Seed seeds every rule's random source, with the rule's ID.
	Seed int64
	// Clock is the emulator's time, used for Retry-After accounting and in
	// the records; waits (latency, stall, bandwidth) are real time.
	Clock clock.Clock
	// Rules are installed at start, and again (with fresh counters and
	// sources) by Reset.
	Rules []Rule
	// RulesFile names a JSON file holding a list of rules (or one rule),
	// installed after Rules, and again by Reset.
	RulesFile string
	// HTTPClient sends the extra copy of a "duplicate" delivery; nil means a
	// client of the injector's own. Redirects are never followed.
	HTTPClient *http.Client
	// FiredCapacity bounds the log of fired faults (default 10,000).
	FiredCapacity int
}

// Injector holds the fault rules and applies them to requests and deliveries.
// It is safe for concurrent use.
type Injector struct {
	seed         int64
	clock        clock.Clock
	initial      []Rule
	hc           *http.Client
	ownTransport *http.Transport
	done         chan struct{}
	closeOnce    sync.Once

	mu     sync.Mutex
	rules  []*rule
	nextID int
	log    firedLog
	retry  retryTracker
}

// rule is an installed rule with its state.
type rule struct {
	spec           Rule
	rnd            *rand.Rand
	matched, fired int64
}

// New returns an Injector with opts.Rules and the rules of opts.RulesFile.
func New(opts Options) (*Injector, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.FiredCapacity <= 0 {
		opts.FiredCapacity = 10_000
	}
	initial := slices.Clone(opts.Rules)
	if opts.RulesFile != "" {
		rs, err := LoadRules(opts.RulesFile)
		if err != nil {
			return nil, err
		}
		initial = append(initial, rs...)
	}
	inj := &Injector{seed: opts.Seed, clock: opts.Clock, initial: initial, done: make(chan struct{}),
		log: newFiredLog(opts.FiredCapacity)}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if opts.HTTPClient != nil {
		hc := *opts.HTTPClient
		hc.CheckRedirect = noRedirect
		inj.hc = &hc
	} else {
		inj.ownTransport = http.DefaultTransport.(*http.Transport).Clone()
		inj.hc = &http.Client{Transport: inj.ownTransport, CheckRedirect: noRedirect}
	}
	if _, err := inj.AddAll(initial); err != nil {
		return nil, fmt.Errorf("faults: initial rules: %w", err)
	}
	return inj, nil
}

// Close ends every wait in progress (latency, stall, bandwidth, delay) and
// releases the delivery client's idle connections. Rules keep matching, but
// waits end at once. It is safe to call twice.
func (inj *Injector) Close() error {
	inj.closeOnce.Do(func() {
		close(inj.done)
		if inj.ownTransport != nil {
			inj.ownTransport.CloseIdleConnections()
		}
	})
	return nil
}

// Add validates r, gives it an ID if it has none and appends it to the rules.
func (inj *Injector) Add(r Rule) (RuleStatus, error) {
	out, err := inj.add([]Rule{r}, false)
	if err != nil {
		return RuleStatus{}, err
	}
	return out[0], nil
}

// AddAll adds rules atomically: if one is refused (the *FieldError names it
// as "[i].field"), none is added.
func (inj *Injector) AddAll(rules []Rule) ([]RuleStatus, error) { return inj.add(rules, true) }

func (inj *Injector) add(rules []Rule, indexed bool) ([]RuleStatus, error) {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	taken := map[string]bool{}
	for _, ru := range inj.rules {
		taken[ru.spec.ID] = true
	}
	for i, r := range rules {
		err := r.Validate()
		if err == nil && r.ID != "" && taken[r.ID] {
			err = fieldErr("id", "%q is already taken", r.ID)
		}
		if err != nil {
			if indexed {
				err = under(fmt.Sprintf("[%d]", i), err)
			}
			return nil, err
		}
		taken[r.ID] = r.ID != ""
	}
	out := make([]RuleStatus, 0, len(rules))
	for _, r := range rules {
		for r.ID == "" {
			inj.nextID++
			if id := "f" + strconv.Itoa(inj.nextID); !taken[id] {
				r.ID = id
			}
		}
		taken[r.ID] = true
		ru := &rule{spec: r, rnd: newRand(inj.seed, r.ID)}
		inj.rules = append(inj.rules, ru)
		out = append(out, ru.status())
	}
	return out, nil
}

// newRand is a rule's source: the same seed and ID give the same draws.
func newRand(seed int64, id string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte("acsemu/faults/" + id))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

func (ru *rule) status() RuleStatus {
	return RuleStatus{Rule: ru.spec, Matched: ru.matched, Fired: ru.fired}
}

// Rules lists the rules in evaluation order, with their counters.
func (inj *Injector) Rules() []RuleStatus {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	out := make([]RuleStatus, 0, len(inj.rules))
	for _, ru := range inj.rules {
		out = append(out, ru.status())
	}
	return out
}

// Rule returns one rule with its counters.
func (inj *Injector) Rule(id string) (RuleStatus, bool) {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	for _, ru := range inj.rules {
		if ru.spec.ID == id {
			return ru.status(), true
		}
	}
	return RuleStatus{}, false
}

// Delete removes a rule and reports whether it existed.
func (inj *Injector) Delete(id string) bool {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	for i, ru := range inj.rules {
		if ru.spec.ID == id {
			inj.rules = slices.Delete(inj.rules, i, i+1)
			return true
		}
	}
	return false
}

// Clear removes every rule (the fired log and the violations stay).
func (inj *Injector) Clear() {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	inj.rules = nil
}

// Reset goes back to the state after New: the initial rules with zero
// counters and restarted sources, no fired faults, no Retry-After records.
func (inj *Injector) Reset() {
	inj.mu.Lock()
	inj.rules, inj.nextID = nil, 0
	inj.log.reset()
	inj.retry.reset()
	inj.mu.Unlock()
	_, _ = inj.AddAll(inj.initial) // validated by New
}

// pick finds the first rule that fires on v and fires it.
func (inj *Injector) pick(v *view) (Rule, effect) {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	for _, ru := range inj.rules {
		if !matches(ru.spec.Match, v, ru.spec.Action.targets()) {
			continue
		}
		ru.matched++
		w := ru.spec.When
		if ru.matched <= int64(w.Skip) || (w.Times > 0 && ru.fired >= int64(w.Times)) {
			continue
		}
		if p := w.Probability; p != nil && *p < 1 && ru.rnd.Float64() >= *p {
			continue
		}
		ru.fired++
		return ru.spec, ru.spec.Action.fire(&firing{rule: ru.spec.ID, n: ru.fired, rnd: ru.rnd, now: inj.clock.Now()})
	}
	return Rule{}, nil
}
