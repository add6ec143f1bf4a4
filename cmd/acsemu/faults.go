package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/faults"
)

const faultsUsage = `usage:
  acsemu faults list [-o table|json|ids] rules in evaluation order, with matched and fired counts
  acsemu faults add JSON | -f FILE     add a rule or a JSON list of rules ("-f -" reads stdin)
  acsemu faults get ID
  acsemu faults delete ID...
  acsemu faults clear                  remove every rule
  acsemu faults violations             clients that came back before their Retry-After
  acsemu faults fired [--after SEQ]    faults that fired (downloads and deliveries)
action types: ` + "%s" + `
`

// faultsCommand runs `acsemu faults SUB ...`; fs already has --url.
func faultsCommand(ctx context.Context, fs *flag.FlagSet, args []string, newClient func() (*control.Client, error), stdout, stderr io.Writer) error {
	usage := fmt.Sprintf(faultsUsage, strings.Join(faults.Kinds(), ", "))
	if len(args) == 0 {
		return errors.New(usage)
	}
	sub := args[0]
	fs.Init("acsemu faults "+sub, flag.ContinueOnError)
	// Each subcommand defines only its own flags.
	var asJSON *bool
	var out, file *string
	var after *int64
	switch sub {
	case "list":
		out = outputFlag(fs, "table")
		asJSON = fs.Bool("json", false, "print JSON (same as -o json)")
	case "add":
		file = fs.String("f", "", "read the rules from FILE, - for stdin")
	case "fired":
		after = fs.Int64("after", 0, "only faults with a higher sequence number")
	}
	rest, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		rs, err := c.Faults(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			*out = "json"
		}
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.Rule.ID
		}
		var table strings.Builder
		if err := printRules(&table, rs); err != nil {
			return err
		}
		return emit(stdout, stderr, *out, "fault rules", rs, ids, table.String())
	case "add":
		var body []byte
		switch {
		case *file == "-":
			body, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
		case *file != "":
			body, err = os.ReadFile(*file)
		case len(rest) == 1:
			body = []byte(rest[0])
		default:
			return errors.New("faults add: give the rule as one JSON argument, or -f FILE")
		}
		if err != nil {
			return err
		}
		rs, err := c.AddFaultsJSON(ctx, body)
		if err != nil {
			return err
		}
		return printRules(stdout, rs)
	case "get":
		if len(rest) != 1 {
			return errors.New("faults get: give one rule ID")
		}
		r, err := c.Fault(ctx, rest[0])
		if err != nil {
			return err
		}
		return printJSON(stdout, r)
	case "delete":
		if len(rest) == 0 {
			return errors.New("faults delete: give the IDs of the rules to delete")
		}
		for _, id := range rest {
			if err := c.DeleteFault(ctx, id); err != nil {
				return err
			}
		}
		return nil
	case "clear":
		return c.ClearFaults(ctx)
	case "violations":
		v, err := c.FaultViolations(ctx)
		if err != nil {
			return err
		}
		return printJSON(stdout, v)
	case "fired":
		fired, err := c.FiredFaults(ctx, *after)
		if err != nil {
			return err
		}
		for _, f := range fired {
			where := f.Method + " " + f.Path
			if f.Target == faults.TargetDelivery {
				where = "delivery to " + f.Subscription + " attempt " + strconv.Itoa(f.Attempt)
			}
			fmt.Fprintf(stdout, "#%d %s %s: %s\n", f.Seq, f.Time.Format("15:04:05.000"), where, f.Fault)
		}
		return nil
	}
	return fmt.Errorf("unknown faults command %q\n%s", sub, usage)
}

// printRules prints one line per rule: ID, target, action, when, counters.
func printRules(w io.Writer, rs []api.FaultRuleStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTARGET\tACTION\tWHEN\tMATCHED\tFIRED")
	for _, r := range rs {
		target := r.Rule.Match.Target
		if target == "" {
			target = "*"
		}
		var when []string
		if r.Rule.When.Skip > 0 {
			when = append(when, "skip "+strconv.Itoa(r.Rule.When.Skip))
		}
		if r.Rule.When.Times > 0 {
			when = append(when, "times "+strconv.Itoa(r.Rule.When.Times))
		}
		if p := r.Rule.When.Probability; p != nil {
			when = append(when, "p "+strconv.FormatFloat(*p, 'g', -1, 64))
		}
		if len(when) == 0 {
			when = []string{"always"}
		}
		raw, err := json.Marshal(r.Rule)
		if err != nil {
			return err
		}
		var parts struct{ Action json.RawMessage }
		_ = json.Unmarshal(raw, &parts)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n", r.Rule.ID, target, parts.Action, strings.Join(when, ", "), r.Matched, r.Fired)
	}
	return tw.Flush()
}

// parseInterleaved parses flags placed before, between or after the
// arguments, and returns the arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
