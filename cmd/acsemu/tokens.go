package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/tokens"
)

const tokensUsage = `acsemu tokens: the bearer tokens the emulator signs (Call Automation callbacks, Event Grid Entra auth)

  acsemu tokens fault FAULT [--for callback|delivery] [--count N]
        spoil the next N tokens (0: until cleared): expired, wrong-signature, wrong-audience or missing
  acsemu tokens faults     list the token faults in force
  acsemu tokens clear      remove them
`

// tokensCommand manages token faults.
func tokensCommand(ctx context.Context, fs *flag.FlagSet, args []string, newClient func() (*control.Client, error), stdout io.Writer) error {
	if len(args) == 0 {
		_, _ = io.WriteString(stdout, tokensUsage)
		return errors.New("tokens: want fault, faults or clear")
	}
	sub := args[0]
	purpose := fs.String("for", "", "callback or delivery (default both)")
	count := fs.Int("count", 1, "how many tokens to spoil; 0 means until cleared")
	rest, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	switch {
	case sub == "fault" && len(rest) == 1:
		f, err := tokens.ParseFault(rest[0])
		if err != nil {
			return err
		}
		rules, err := c.AddTokenFault(ctx, tokens.FaultRule{Fault: f, Purpose: *purpose, Count: *count})
		if err != nil {
			return err
		}
		return printJSON(stdout, rules)
	case sub == "faults" && len(rest) == 0:
		rules, err := c.TokenFaults(ctx)
		if err != nil {
			return err
		}
		return printJSON(stdout, rules)
	case sub == "clear" && len(rest) == 0:
		return c.ClearTokenFaults(ctx)
	}
	_, _ = io.WriteString(stdout, tokensUsage)
	return errors.New("tokens: want fault FAULT, faults or clear")
}
