package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
)

// clientFlags adds --url to fs and returns a function making the client.
func clientFlags(fs *flag.FlagSet, env func(string) string) func() (*control.Client, error) {
	def := env("ACSEMU_URL")
	if def == "" {
		def = "http://" + emulator.DefaultAddr
	}
	u := fs.String("url", def, "emulator base URL (ACSEMU_URL)")
	token := fs.String("control-token", env("ACSEMU_CONTROL_TOKEN"), "the emulator's control token, if it was started with one (ACSEMU_CONTROL_TOKEN)")
	return func() (*control.Client, error) {
		c, err := control.NewClient(*u, nil)
		if err != nil {
			return nil, err
		}
		return c.WithToken(*token), nil
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runClient(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	name := args[0]
	if len(args) > 1 && (name == "recording" || name == "document" || name == "call") {
		name += " " + args[1]
		args = args[1:]
	}
	fs := flag.NewFlagSet("acsemu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	newClient := clientFlags(fs, env)
	parse := func(min, max int) ([]string, *control.Client, error) {
		if err := fs.Parse(args[1:]); err != nil {
			return nil, nil, err
		}
		if fs.NArg() < min || fs.NArg() > max {
			return nil, nil, fmt.Errorf("%s: expected %d to %d arguments, got %d (see -h)", name, min, max, fs.NArg())
		}
		c, err := newClient()
		return fs.Args(), c, err
	}
	switch name {
	case "health", "config", "reset", "ca":
		maxArgs := 0
		if name == "config" {
			maxArgs = 1 // acsemu config FIELD prints one field, for scripts
		}
		rest, c, err := parse(0, maxArgs)
		if err != nil {
			return err
		}
		switch name {
		case "health":
			h, err := c.Health(ctx)
			if err != nil {
				return err
			}
			return printJSON(stdout, h)
		case "config":
			cfg, err := c.Config(ctx)
			if err != nil {
				return err
			}
			if len(rest) == 1 {
				return printField(stdout, cfg, rest[0])
			}
			return printJSON(stdout, cfg)
		case "reset":
			return c.Reset(ctx)
		case "ca":
			pem, err := c.CACertificate(ctx)
			if err != nil {
				return err
			}
			_, err = stdout.Write(pem)
			return err
		}
	case "recording list":
		out := outputFlag(fs, "json")
		_, c, err := parse(0, 0)
		if err != nil {
			return err
		}
		rs, err := c.Recordings(ctx)
		if err != nil {
			return err
		}
		return emit(stdout, stderr, *out, "recordings", rs, recordingIDs(rs), recordingTable(rs))
	case "recording get", "document get":
		rest, c, err := parse(1, 1)
		if err != nil {
			return err
		}
		if name == "recording get" {
			r, err := c.Recording(ctx, rest[0])
			if err != nil {
				return err
			}
			return printJSON(stdout, r)
		}
		d, err := c.Document(ctx, rest[0])
		if err != nil {
			return err
		}
		return printJSON(stdout, d)
	case "recording create":
		return recordingCreate(ctx, fs, args[1:], newClient, stdout, stderr)
	case "document upload":
		kind := fs.String("kind", "audio", "audio or video: the last segment of the content location")
		ct := fs.String("content-type", "", "MIME type (default: sniffed)")
		rest, c, err := parse(2, 2)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(rest[1])
		if err != nil {
			return err
		}
		d, err := c.UploadDocument(ctx, rest[0], data, *ct, *kind)
		if err != nil {
			return err
		}
		return printJSON(stdout, d)
	case "call simulate":
		return callSimulate(ctx, fs, args[1:], env, newClient, stdout)
	case "requests":
		return requests(ctx, fs, args[1:], newClient, stdout, stderr)
	case "faults":
		return faultsCommand(ctx, fs, args[1:], newClient, stdout, stderr)
	case "tokens":
		return tokensCommand(ctx, fs, args[1:], newClient, stdout)
	case "subscription", "deliveries", "deadletters", "events":
		return eventsCommand(ctx, name, fs, args[1:], newClient, stdout, stderr)
	}
	if subs, ok := groups[args[0]]; ok && len(args) == 1 {
		fmt.Fprintf(stdout, "acsemu %s subcommands: %s\n", args[0], strings.Join(subs, ", "))
		return nil
	}
	return fmt.Errorf("unknown command %q%s; run acsemu help", name, didYouMean(name))
}

// groups are the commands that take a subcommand, for acsemu GROUP alone and for suggestions.
var groups = map[string][]string{
	"recording": {"create", "list", "get"},
	"document":  {"get", "upload"},
	"call":      {"simulate"},
}

// didYouMean suggests the known command nearest to name (at most 2 edits away).
func didYouMean(name string) string {
	var known []string
	for _, c := range commands {
		known = append(known, c.name)
		for _, sub := range groups[c.name] {
			known = append(known, c.name+" "+sub)
		}
	}
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// pauseList parses --pause values like 10m@30m (pause of 10m at 30m of recorded time).
type pauseList []api.Pause

func (p *pauseList) String() string { return fmt.Sprint(*p) }
func (p *pauseList) Set(v string) error {
	dur, at, ok := strings.Cut(v, "@")
	if !ok {
		return fmt.Errorf("%q: use DURATION@AT, e.g. 10m@30m", v)
	}
	d, err1 := time.ParseDuration(dur)
	a, err2 := time.ParseDuration(at)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%q: use DURATION@AT, e.g. 10m@30m", v)
	}
	*p = append(*p, api.Pause{At: api.Duration(a), Duration: api.Duration(d)})
	return nil
}

func recordingCreate(ctx context.Context, fs *flag.FlagSet, args []string, newClient func() (*control.Client, error), stdout, stderr io.Writer) error {
	var spec api.RecordingSpec
	var pauses pauseList
	dur := fs.Duration("duration", 90*time.Second, "active recorded time")
	fs.StringVar(&spec.Format, "format", "wav", "wav, mp3 or mp4")
	fs.StringVar(&spec.ContentType, "contentType", "", "audio or audioVideo (default from the format)")
	fs.StringVar(&spec.ChannelType, "channelType", "mixed", "mixed or unmixed (one channel per participant, wav only)")
	fs.IntVar(&spec.ParticipantCount, "participantCount", 2, "number of participants")
	fs.Int64Var(&spec.ChunkSizeLimit, "chunkSizeLimit", 0, "split into documents of at most this many bytes (default 1.5 GB)")
	fs.Int64Var(&spec.Seed, "seed", 0, "media seed (default derived from the emulator's seed)")
	fs.BoolVar(&spec.NoEvent, "noEvent", false, "do not publish RecordingFileStatusUpdated")
	fs.Var(&pauses, "pauses", "a pause DURATION@AT of recorded time, e.g. 10m@30m (repeatable)")
	wait := fs.Bool("waitHashes", false, "answer once every document's SHA-256 is computed (creation hashes nothing; sha256Pending says so)")
	aliases(fs, map[string]string{"content": "contentType", "channels": "channelType", "participants": "participantCount",
		"chunk-size": "chunkSizeLimit", "no-event": "noEvent", "pause": "pauses", "wait-hashes": "waitHashes"})
	out := outputFlag(fs, "json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	spec.Duration, spec.Pauses = api.Duration(*dur), pauses
	c, err := newClient()
	if err != nil {
		return err
	}
	r, err := c.CreateRecording(ctx, spec)
	if err == nil && *wait {
		r, err = c.WaitHashes(ctx, r.ID)
	}
	if err != nil {
		return err
	}
	// ids mode prints the documents' contentLocations, one per line, so a
	// script takes one with head -1.
	var locs []string
	for _, d := range r.Documents {
		locs = append(locs, d.ContentLocation)
	}
	return emit(stdout, stderr, *out, "", r, locs, recordingTable([]api.Recording{r}))
}

func requests(ctx context.Context, fs *flag.FlagSet, args []string, newClient func() (*control.Client, error), stdout, stderr io.Writer) error {
	var f api.RequestFilter
	fs.StringVar(&f.Plane, "plane", "data", "data or control (empty: both)")
	fs.StringVar(&f.Target, "target", "", "media, metadata, delete, calling, unknown")
	fs.StringVar(&f.Method, "method", "", "HTTP method")
	fs.StringVar(&f.PathPrefix, "pathPrefix", "", "path prefix")
	fs.StringVar(&f.DocumentID, "documentId", "", "document id")
	fs.IntVar(&f.Status, "status", 0, "HTTP status")
	fs.StringVar(&f.RangePrefix, "rangePrefix", "", "asked Range starting with this, e.g. bytes=1048576-")
	fs.StringVar(&f.HasRange, "hasRange", "", "yes (asked a Range) or no")
	fs.StringVar(&f.AuthOK, "authOk", "", "true or false")
	fs.StringVar(&f.Fault, "fault", "", "only requests hit by a fault whose description contains this")
	fs.Int64Var(&f.AfterID, "afterId", 0, "only entries with a higher id")
	fs.IntVar(&f.Limit, "limit", 50, "newest entries to show (0: all)")
	aliases(fs, map[string]string{"path": "pathPrefix", "document": "documentId", "range": "rangePrefix", "auth-ok": "authOk"})
	count := fs.Bool("count", false, "print only the number of matching requests")
	wait := fs.Duration("wait", 0, "wait up to this long (at most 1m) until --minCount requests match")
	minCount := fs.Int("minCount", 1, "with --wait: how many matching requests to wait for")
	out := outputFlag(fs, "table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	if *count {
		f.Limit = 0
		n, err := c.CountRequests(ctx, f)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, n)
		return err
	}
	var es []api.Entry
	if *wait > 0 {
		es, err = c.WaitRequests(ctx, f, *minCount, *wait)
	} else {
		es, err = c.Requests(ctx, f)
	}
	if err != nil {
		return err
	}
	if *out != "table" {
		ids := make([]string, len(es))
		for i, e := range es {
			ids[i] = strconv.FormatInt(e.ID, 10)
		}
		return emit(stdout, stderr, *out, "requests", es, ids, "")
	}
	if len(es) == 0 {
		fmt.Fprintln(stderr, "acsemu: no requests match", f)
	}
	for _, e := range es {
		auth := "-"
		if e.Auth != nil {
			auth = "auth:" + map[bool]string{true: "ok", false: "FAILED"}[e.Auth.OK]
		}
		fmt.Fprintf(stdout, "#%d %s %s %s %d %dB range=%q served=%q %s\n", e.ID, e.Time.Format(time.RFC3339), e.Method, e.Path, e.Status, e.BytesSent, e.RangeAsked, e.RangeServed, auth)
		if e.Auth != nil && !e.Auth.OK {
			fmt.Fprintf(stdout, "    why: %s\n", e.Auth.Explanation)
		}
		if e.Fault != "" {
			fmt.Fprintf(stdout, "    fault: %s\n", e.Fault)
		}
	}
	return nil
}
