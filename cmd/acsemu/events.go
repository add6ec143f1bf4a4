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
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
)

const subscriptionUsage = `usage:
  acsemu subscription create NAME ENDPOINT [--eventDeliverySchema EventGridSchema|CloudEventSchemaV1_0]
         [--includedEventTypes T1,T2] [--subjectBeginsWith S] [--subjectEndsWith S]
         [--maxDeliveryAttempts N] [--eventTimeToLiveInMinutes N] [--maxEventsPerBatch N]
         [--deadLetter] [--timeScale F]
  acsemu subscription create -f FILE        a full SubscriptionSpec as JSON ("-" for stdin)
  acsemu subscription list | get NAME | delete NAME | validate NAME CODE
  acsemu subscription drain NAME [--timeout 30s]   wait until its queue is empty
  acsemu deliveries [--subscription NAME] [--outcome O] [--eventId ID] [-o json|table|ids]
  acsemu deadletters [--subscription NAME] [-o json|table|ids]
  acsemu events publish FILE|-             publish Event Grid or CloudEvents JSON to every subscription
`

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, 16<<20))
	}
	return os.ReadFile(name)
}

// eventsCommand runs the subscription, deliveries, deadletters and events families.
func eventsCommand(ctx context.Context, family string, fs *flag.FlagSet, args []string, newClient func() (*control.Client, error), stdout, stderr io.Writer) error {
	sub := ""
	if family == "subscription" || family == "events" {
		if len(args) == 0 {
			return errors.New(strings.TrimSpace(subscriptionUsage))
		}
		sub, args = args[0], args[1:]
	}
	// Each subcommand defines only its own flags, named as the API's JSON
	// fields (the former kebab-case names remain as aliases).
	var spec api.SubscriptionSpec
	var schema, types, file, subName, outcome, eventID, out *string
	var timeout *time.Duration
	switch family + " " + sub {
	case "subscription create":
		schema = fs.String("eventDeliverySchema", "", "EventGridSchema (default) or CloudEventSchemaV1_0")
		types = fs.String("includedEventTypes", "", "comma-separated included event types")
		fs.StringVar(&spec.Filter.SubjectBeginsWith, "subjectBeginsWith", "", "subject prefix filter")
		fs.StringVar(&spec.Filter.SubjectEndsWith, "subjectEndsWith", "", "subject suffix filter")
		fs.IntVar(&spec.RetryPolicy.MaxDeliveryAttempts, "maxDeliveryAttempts", 0, "1-30 (default 30)")
		fs.IntVar(&spec.RetryPolicy.EventTimeToLiveInMinutes, "eventTimeToLiveInMinutes", 0, "1-1440 (default 1440)")
		fs.IntVar(&spec.MaxEventsPerBatch, "maxEventsPerBatch", 0, "max events per batch, 1-5000 (default 1)")
		fs.BoolVar(&spec.DeadLetter, "deadLetter", false, "keep undeliverable events as dead letters")
		fs.Float64Var(&spec.TimeScale, "timeScale", 0, "multiply this subscription's retry delays")
		file = fs.String("f", "", "read a SubscriptionSpec JSON from FILE (- for stdin)")
		aliases(fs, map[string]string{"schema": "eventDeliverySchema", "types": "includedEventTypes",
			"subject-begins-with": "subjectBeginsWith", "subject-ends-with": "subjectEndsWith", "max-attempts": "maxDeliveryAttempts",
			"ttl-minutes": "eventTimeToLiveInMinutes", "batch": "maxEventsPerBatch", "dead-letter": "deadLetter", "time-scale": "timeScale"})
	case "subscription drain":
		timeout = fs.Duration("timeout", 30*time.Second, "how long drain waits")
	case "deliveries ":
		eventID = fs.String("eventId", "", "only attempts that carried this event")
		outcome = fs.String("outcome", "", "attempt outcome or disposition (Delivered, Retrying, BadRequest, ...)")
		fallthrough
	case "deadletters ":
		subName = fs.String("subscription", "", "subscription name")
		out = outputFlag(fs, "json")
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	need := func(n int) error {
		if len(rest) != n {
			return fmt.Errorf("%s %s: expected %d arguments, got %d\n%s", family, sub, n, len(rest), strings.TrimSpace(subscriptionUsage))
		}
		return nil
	}
	switch family + " " + sub {
	case "subscription create":
		if *file != "" {
			raw, err := readInput(*file)
			if err != nil {
				return err
			}
			spec = api.SubscriptionSpec{}
			if err := json.Unmarshal(raw, &spec); err != nil {
				return fmt.Errorf("%s: %w", *file, err)
			}
		} else {
			if err := need(2); err != nil {
				return err
			}
			spec.Name, spec.EndpointURL, spec.EventDeliverySchema = rest[0], rest[1], api.EventSchema(*schema)
			for _, t := range strings.Split(*types, ",") {
				if t = strings.TrimSpace(t); t != "" {
					spec.Filter.IncludedEventTypes = append(spec.Filter.IncludedEventTypes, t)
				}
			}
		}
		s, err := c.CreateSubscription(ctx, spec)
		if err != nil {
			return err
		}
		return printJSON(stdout, s)
	case "subscription list":
		ss, err := c.Subscriptions(ctx)
		if err != nil {
			return err
		}
		return printJSON(stdout, ss)
	case "subscription get", "subscription delete", "subscription drain":
		if err := need(1); err != nil {
			return err
		}
		switch sub {
		case "get":
			s, err := c.Subscription(ctx, rest[0])
			if err != nil {
				return err
			}
			return printJSON(stdout, s)
		case "delete":
			return c.DeleteSubscription(ctx, rest[0])
		default:
			if err := c.Drain(ctx, rest[0], *timeout); err != nil {
				return err
			}
			_, err := fmt.Fprintf(stdout, "subscription %s: queue empty\n", rest[0])
			return err
		}
	case "subscription validate":
		if err := need(2); err != nil {
			return err
		}
		s, err := c.CompleteValidation(ctx, rest[0], rest[1])
		if err != nil {
			return err
		}
		return printJSON(stdout, s)
	case "deliveries ":
		as, err := c.Deliveries(ctx, api.AttemptFilter{Subscription: *subName, Outcome: *outcome, EventID: *eventID})
		if err != nil {
			return err
		}
		ids := make([]string, len(as))
		for i, a := range as {
			ids[i] = strconv.FormatInt(a.Seq, 10)
		}
		return emit(stdout, stderr, *out, "deliveries", as, ids, attemptTable(as))
	case "deadletters ":
		ds, err := c.DeadLetters(ctx, *subName)
		if err != nil {
			return err
		}
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = d.EventID
		}
		return emit(stdout, stderr, *out, "dead letters", ds, ids, deadLetterTable(ds))
	case "events publish":
		if err := need(1); err != nil {
			return err
		}
		raw, err := readInput(rest[0])
		if err != nil {
			return err
		}
		ids, err := c.PublishJSON(ctx, raw)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"ids": ids})
	}
	return fmt.Errorf("unknown command %q\n%s", strings.TrimSpace(family+" "+sub), strings.TrimSpace(subscriptionUsage))
}
