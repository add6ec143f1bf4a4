package faults

import "github.com/acsemu/acsemu/emulator/httprange"

func init() { register("ignore-range", func() Action { return &IgnoreRange{} }) }

// IgnoreRange answers a range request with 200 and the whole representation,
// as a server without range support would.
type IgnoreRange struct{}

func (*IgnoreRange) Kind() string          { return "ignore-range" }
func (*IgnoreRange) targets() []string     { return downloadTargets }
func (*IgnoreRange) Validate() error       { return nil }
func (i *IgnoreRange) fire(*firing) effect { return i }

func (*IgnoreRange) object(c *Call, _ *httprange.Object, opts *httprange.Options) {
	opts.IgnoreRange = true
	if rg := c.r.Header.Get("Range"); rg != "" {
		c.note("Range %q ignored: 200 with the whole representation", rg)
	} else {
		c.note("no Range to ignore")
	}
}
