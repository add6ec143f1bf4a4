package cliflag

import (
	"flag"
	"io"
	"testing"
)

func TestBoolIsARealBoolean(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		def      string
		want     string
		wantArgs int
	}{
		{[]string{"--tls"}, "false", "true", 0},
		{[]string{"--tls=false"}, "true", "false", 0},
		{[]string{"--tls", "URL"}, "false", "true", 1}, // never swallows the next argument
		{nil, "true", "true", 0},                       // the environment default
		{[]string{"--tls=maybe"}, "false", "maybe", 0}, // kept for the caller to refuse
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		v := Bool(fs, "tls", tc.def, "")
		if err := fs.Parse(tc.args); err != nil || *v != tc.want || fs.NArg() != tc.wantArgs {
			t.Errorf("%v (default %s): %q, %d args, %v", tc.args, tc.def, *v, fs.NArg(), err)
		}
	}
}
