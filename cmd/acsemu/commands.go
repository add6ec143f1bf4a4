package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/acsemu/acsemu/emulator"
)

// The CLI is the standard library's flag package with a small command
// table, not kong or ff: every command already has its own FlagSet built
// next to the code that uses it, the environment defaults need per-flag
// wording (ACSEMU_TLS=maybe must be named, not fatal), and a table of ten
// lines is easier to read than a library's struct tags. Adding a command is
// one line in commands (and its function in its own file).

// command is one acsemu subcommand. run receives the whole argument list,
// its own name first.
type command struct {
	name, synopsis, summary string
	run                     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
}

// commands is filled in init: the client commands' suggestions read it.
var commands []command

func init() {
	commands = []command{
		{"serve", "serve [flags]", "start the emulator (see acsemu serve -h)", serveCommand},
		{"health", "health", "check that the emulator answers", runClient},
		{"config", "config", "print the emulator's effective configuration", runClient},
		{"reset", "reset", "forget recordings, documents, subscriptions, faults and the journal", runClient},
		{"recording", "recording create|list|get", "create a finished recording, list them (-o json|table|ids), get one", runClient},
		{"document", "document get ID | upload ID FILE", "read a document, or upload media for it (--kind, --content-type)", runClient},
		{"call", "call simulate [flags]", "play a call through the Call Automation API and print the recording", runClient},
		{"requests", "requests [filters]", "read the request journal (--wait to wait for entries; -o ids)", runClient},
		{"faults", "faults list|add|get|delete|clear|violations|fired", "manage fault rules (acsemu faults for details)", runClient},
		{"subscription", "subscription create|list|get|delete|validate|drain", "Event Grid subscriptions (acsemu subscription for details)", runClient},
		{"deliveries", "deliveries [filters]", "Event Grid delivery attempts", runClient},
		{"deadletters", "deadletters [--subscription S]", "Event Grid dead letters", runClient},
		{"events", "events publish FILE|-", "publish any Event Grid or CloudEvents JSON", runClient},
		{"tokens", "tokens fault|faults|clear", "spoil the callback / delivery tokens (acsemu tokens for details)", runClient},
		{"ca", "ca [--dir DIR]", "print the CA certificate (TLS mode); --dir: create and print the persistent CA of serve/contract --ca-dir", caCommand},
		{"contract", "contract --webhook URL", "contract-test your webhook and downloader (see -h)", contractCommand},
	}
}

func serveCommand(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return serve(ctx, args[1:], env, stdout, stderr)
}

// caCommand is `acsemu ca`: with --dir it works on a CA directory without
// an emulator, otherwise it asks the running emulator.
func caCommand(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if caLocal(args[1:]) {
		return caCmd(args[1:], env, stdout, stderr)
	}
	return runClient(ctx, args, env, stdout, stderr)
}

func contractCommand(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return contractCmd(ctx, args[1:], env, stdout, stderr)
}

// usage is acsemu help: one line per command of the table.
func usage() string {
	var b strings.Builder
	b.WriteString("acsemu — a local emulator of Azure Communication Services call recording\n\nUsage:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  acsemu %-52s %s\n", c.synopsis, c.summary)
	}
	fmt.Fprintf(&b, "\nClient commands talk to --url (ACSEMU_URL, default http://%s).\n", emulator.DefaultAddr)
	return b.String()
}
