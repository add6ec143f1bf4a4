// Package cliflag holds the flag types the acsemu and acsrec commands share.
package cliflag

import "flag"

// boolText is a boolean flag whose value is kept as text.
type boolText struct{ p *string }

func (b boolText) String() string {
	if b.p == nil {
		return ""
	}
	return *b.p
}

func (b boolText) Set(s string) error { *b.p = s; return nil }

// IsBoolFlag makes the flag package treat it as a boolean: --tls alone is
// true, --tls=false turns it off, and --tls never swallows the next argument.
func (b boolText) IsBoolFlag() bool { return true }

// Bool defines a boolean flag (--name, --name=true|false) starting at def (an
// environment default, as text) and returns its text: the caller parses it
// with strconv.ParseBool and names --name in the error when the flag or the
// environment held something else. A text flag is used rather than
// flag.Bool so that a bad environment default is reported, not fatal.
func Bool(fs *flag.FlagSet, name, def, usage string) *string {
	p := new(string)
	*p = def
	fs.Var(boolText{p}, name, usage)
	return p
}
