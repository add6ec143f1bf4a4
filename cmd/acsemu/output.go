package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/acsemu/acsemu/emulator/api"
)

// outputFlag adds -o json|table|ids to a listing's flags; def keeps each
// command's former output as its default.
func outputFlag(fs *flag.FlagSet, def string) *string {
	return fs.String("o", def, "output: json, table (for people), or ids (one per line, for scripts)")
}

// emit writes a listing in the chosen output. what names the listing for
// the stderr note when it is empty ("" for a single object).
func emit(stdout, stderr io.Writer, mode, what string, v any, ids []string, table string) error {
	if what != "" && len(ids) == 0 {
		fmt.Fprintf(stderr, "acsemu: no %s match\n", what)
	}
	switch mode {
	case "json":
		return printJSON(stdout, v)
	case "ids":
		for _, id := range ids {
			if _, err := fmt.Fprintln(stdout, id); err != nil {
				return err
			}
		}
		return nil
	case "table":
		_, err := io.WriteString(stdout, table)
		return err
	}
	return fmt.Errorf("-o %s: use json, table or ids", mode)
}

func recordingIDs(rs []api.Recording) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// recordingTable is one line per document of each recording.
func recordingTable(rs []api.Recording) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORDING\tFORMAT\tDURATION\tDOCUMENT\tSIZE\tCONTENT LOCATION")
	for _, r := range rs {
		for _, d := range r.Documents {
			fmt.Fprintf(tw, "%s\t%s\t%dms\t%s\t%d\t%s\n", r.ID, r.Format, r.DurationMs, d.ID, d.Size, d.ContentLocation)
		}
	}
	_ = tw.Flush()
	return b.String()
}

// aliases registers old flag names as aliases of the new ones (same value;
// a boolean stays a boolean).
func aliases(fs *flag.FlagSet, oldToNew map[string]string) {
	for old, name := range oldToNew {
		fs.Var(fs.Lookup(name).Value, old, "alias of --"+name)
	}
}

func attemptTable(as []api.Attempt) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tSUBSCRIPTION\tATTEMPT\tSTATUS\tOUTCOME\tDISPOSITION\tEVENTS\tFAULT")
	for _, a := range as {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", a.Seq, a.Subscription, a.Attempt, a.Status, a.Outcome, a.Disposition, strings.Join(a.EventIDs, ","), a.Fault)
	}
	_ = tw.Flush()
	return b.String()
}

func deadLetterTable(ds []api.DeadLetter) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBSCRIPTION\tEVENT\tREASON\tATTEMPTS\tLAST OUTCOME")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", d.Subscription, d.EventID, d.DeadLetterReason, d.DeliveryAttempts, d.LastDeliveryOutcome)
	}
	_ = tw.Flush()
	return b.String()
}

// printField prints one top-level JSON field of v, a string without quotes
// (acsemu config connectionString).
func printField(w io.Writer, v any, field string) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return err
	}
	f, ok := fields[field]
	if !ok {
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		sort.Strings(names)
		return fmt.Errorf("no field %q; use one of %s", field, strings.Join(names, ", "))
	}
	var s string
	if json.Unmarshal(f, &s) == nil {
		_, err = fmt.Fprintln(w, s)
		return err
	}
	_, err = fmt.Fprintln(w, string(f))
	return err
}
