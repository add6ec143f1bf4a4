package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/wire"
)

// Handlers of the routes of the Event Grid engine, the fault injector and
// the Call Automation service: each reads the request and calls the part's
// plain methods.

func createSubscription(ev *eventgrid.Engine) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		var spec api.SubscriptionSpec
		if err := decodeJSON(r, &spec, eventgrid.MaxSpecBody, "InvalidArgument"); err != nil {
			return nil, err
		}
		return ev.CreateSubscription(r.Context(), spec)
	}
}

func updateSubscription(ev *eventgrid.Engine) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		var spec api.SubscriptionSpec
		if err := decodeJSON(r, &spec, eventgrid.MaxSpecBody, "InvalidArgument"); err != nil {
			return nil, err
		}
		return ev.UpdateNamed(r.Context(), r.PathValue("name"), spec)
	}
}

func completeValidation(ev *eventgrid.Engine) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		return ev.CompleteValidation(r.PathValue("name"), r.URL.Query().Get("code"))
	}
}

func drain(ev *eventgrid.Engine) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if err := onlyParams(r.URL.Query(), []string{"timeout"}); err != nil {
			return nil, err
		}
		wait, err := queryDuration(r, "timeout", eventgrid.MaxDrainWait, "InvalidArgument")
		if err != nil {
			return nil, err
		}
		return ev.DrainWithin(r.Context(), r.PathValue("name"), wait)
	}
}

func publish(ev *eventgrid.Engine) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		body, err := readBody(r, eventgrid.MaxPublishBody, "InvalidEvent")
		if err != nil {
			return nil, err
		}
		return ev.PublishBody(r.Header.Get("Content-Type"), body)
	}
}

func deadLetters(ev *eventgrid.Engine) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if err := onlyParams(r.URL.Query(), api.DeadLetterParams); err != nil {
			return nil, err
		}
		return ev.DeadLetters(r.URL.Query().Get("subscription")), nil
	}
}

// listDeliveries answers the attempts matching the filter; with ?wait= it
// first waits until at least ?count= (default 1) match.
func (p *ControlParts) listDeliveries(r *http.Request) (any, error) {
	q := r.URL.Query()
	if err := onlyParams(q, api.AttemptFilterParams, waitParams...); err != nil {
		return nil, err
	}
	f := api.AttemptFilter{Subscription: q.Get("subscription"), Outcome: q.Get("outcome"), EventID: q.Get("eventId")}
	list := func() []api.Attempt { return p.Events.Attempts(f) }
	return longPoll(r, list, p.Events.AttemptsChanged)
}

func addFaults(inj *faults.Injector) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		body, err := readBody(r, faults.MaxRulesBody, "BadRequest")
		if err != nil {
			return nil, err
		}
		return inj.AddJSON(body)
	}
}

func firedFaults(inj *faults.Injector) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if err := onlyParams(r.URL.Query(), []string{"after"}); err != nil {
			return nil, err
		}
		v := r.URL.Query().Get("after")
		after, err := strconv.ParseInt(v, 10, 64)
		if err != nil && v != "" {
			return nil, wire.Errorf(http.StatusBadRequest, "BadRequest", "after: not an integer")
		}
		return inj.Fired(after), nil
	}
}

func getFault(inj *faults.Injector) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if st, ok := inj.Rule(r.PathValue("id")); ok {
			return st, nil
		}
		return nil, wire.Errorf(http.StatusNotFound, "NotFound", "no fault rule %q", r.PathValue("id"))
	}
}

func deleteFault(inj *faults.Injector) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if inj.Delete(r.PathValue("id")) {
			return nil, nil
		}
		return nil, wire.Errorf(http.StatusNotFound, "NotFound", "no fault rule %q", r.PathValue("id"))
	}
}

func advanceClock(call *calling.Service) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		var in api.ClockAdvance
		if err := decodeSmall(r, &in, `{"advance":"2h"}`); err != nil {
			return nil, err
		}
		return call.AdvanceClock(time.Duration(in.Advance))
	}
}

func putCallSettings(call *calling.Service) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		var in api.CallSettings
		if err := decodeSmall(r, &in, `{"activationDelay":"2s"}`); err != nil {
			return nil, err
		}
		if err := call.SetSettings(in); err != nil {
			return nil, err
		}
		return call.Settings(), nil
	}
}

func callRecording(call *calling.Service) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		if err := onlyParams(r.URL.Query(), []string{"wait"}); err != nil {
			return nil, err
		}
		wait, err := queryDuration(r, "wait", api.MaxWait, "BadRequest")
		if err != nil {
			return nil, err
		}
		return call.Recording(r.Context(), r.PathValue("id"), wait)
	}
}

// decodeSmall decodes a small settings body (at most 64 KiB); a refusal
// shows a good body, example.
func decodeSmall(r *http.Request, v any, example string) error {
	err := decodeJSON(r, v, 64<<10, "BadRequest")
	if we, ok := err.(*wire.Error); ok {
		we.Message += " (send " + example + ")"
	}
	return err
}

// waitParams are the long-poll parameters every waitable listing accepts.
var waitParams = []string{"wait", "count"}

// onlyParams refuses a query parameter outside valid and extra: a misspelt
// filter must not silently match everything.
func onlyParams(q url.Values, valid []string, extra ...string) error {
	for k := range q {
		if !slices.Contains(valid, k) && !slices.Contains(extra, k) {
			all := append(slices.Clone(valid), extra...)
			return wire.Errorf(http.StatusBadRequest, "UnknownQueryParameter", "%s: not a filter here; use %s", k, strings.Join(all, ", "))
		}
	}
	return nil
}
