package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
)

// The README's tour runs verbatim: every command of its sh blocks, in
// order, in one shell, against a fresh emulator on a free port (ACSEMU_URL)
// with the reference webhook on another (ACSREC_LISTEN). A command fails the
// test if it exits non-zero or prints nothing; an assignment, if it leaves
// its variable empty.
func TestREADMETourRunsVerbatim(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both binaries and runs the tour")
	}
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the tour needs %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	commands := tourCommands(t, string(readme))
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "bin")+string(filepath.Separator), "./cmd/acsemu", "./cmd/acsrec")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv, err := emulator.New(emulator.Options{Addr: "127.0.0.1:0", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })

	script := tourScript(commands)
	cmd := exec.CommandContext(t.Context(), "bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ACSEMU_URL="+srv.URL(), "ACSREC_LISTEN="+freeAddr(t))
	out, err := cmd.CombinedOutput()
	t.Logf("tour output:\n%s", out)
	if err != nil {
		t.Fatalf("the README tour failed: %v", err)
	}
	if !strings.Contains(string(out), "TOUR OK") {
		t.Fatal("the tour did not reach its end")
	}
}

// tourCommands extracts the commands of the sh blocks under "## A short tour".
func tourCommands(t *testing.T, readme string) []string {
	_, tour, ok := strings.Cut(readme, "\n## A short tour\n")
	if !ok {
		t.Fatal("README.md has no tour")
	}
	if i := strings.Index(tour, "\n## "); i >= 0 {
		tour = tour[:i]
	}
	var cmds []string
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(tour, -1) {
		for line := range strings.SplitSeq(strings.ReplaceAll(block[1], "\\\n", " "), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				cmds = append(cmds, line)
			}
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("only %d tour commands found", len(cmds))
	}
	return cmds
}

var assignment = regexp.MustCompile(`^(?:export )?([A-Za-z_][A-Za-z0-9_]*)=`)

// tourScript runs each command as written, checking it as it goes.
func tourScript(cmds []string) string {
	var b strings.Builder
	// The trap waits for the background commands (acsrec serve) to exit, so
	// that none still writes into the test's directory when it is removed.
	b.WriteString("trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\nout=$(mktemp)\n")
	for i, c := range cmds {
		fmt.Fprintf(&b, "echo '$ '%q\n", c)
		switch m := assignment.FindStringSubmatch(c); {
		case strings.HasSuffix(c, "&"):
			fmt.Fprintf(&b, "%s > background-%d.log 2>&1 &\n", strings.TrimSuffix(c, "&"), i)
		case m != nil:
			fmt.Fprintf(&b, "%s || { echo 'FAILED: exit status'; exit 1; }\n", c)
			fmt.Fprintf(&b, "[ -n \"${%s}\" ] || { echo 'FAILED: %s is empty'; exit 1; }\n", m[1], m[1])
		default:
			fmt.Fprintf(&b, "%s > \"$out\" 2>&1; rc=$?; cat \"$out\"\n", c)
			b.WriteString("[ $rc -eq 0 ] || { echo \"FAILED: exit status $rc\"; exit 1; }\n")
			b.WriteString("[ -s \"$out\" ] || { echo 'FAILED: printed nothing'; exit 1; }\n")
		}
	}
	b.WriteString("echo TOUR OK\n")
	return b.String()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
