package faults

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"

	"github.com/acsemu/acsemu/emulator/eventgrid"
)

func init() { register("reorder", func() Action { return &Reorder{} }) }

// Reorder changes the order of the events in a delivered batch (a JSON
// array): reversed, or with Shuffle a permutation drawn from the rule's
// seeded source. Each event's bytes are kept. A single event is sent as is.
type Reorder struct {
	Shuffle bool `json:"shuffle,omitempty"`
}

func (*Reorder) Kind() string      { return "reorder" }
func (*Reorder) targets() []string { return deliveryTargets }
func (*Reorder) Validate() error   { return nil }

type reorderEffect struct {
	shuffle bool
	seed    uint64
}

func (r *Reorder) fire(f *firing) effect {
	return reorderEffect{shuffle: r.Shuffle, seed: f.rnd.Uint64()}
}

func (e reorderEffect) deliver(c *Call, req *http.Request) eventgrid.HookResult {
	body, err := readBody(req)
	var events []json.RawMessage
	if err == nil {
		err = json.Unmarshal(body, &events)
	}
	if err != nil || len(events) < 2 {
		c.note("nothing to reorder (not a batch of two or more events)")
		return eventgrid.HookResult{}
	}
	order := make([]int, len(events))
	for i := range order {
		order[i] = len(events) - 1 - i
	}
	if e.shuffle {
		rand.New(rand.NewPCG(e.seed, 0)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, k := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(events[k])
	}
	b.WriteByte(']')
	setBody(req, b.Bytes())
	c.note("sent the %d events in the order %v", len(events), order)
	return eventgrid.HookResult{}
}
