package eventgrid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/wire"
)

// Control-plane limits.
const (
	maxSpecBody        = 1 << 20
	DefaultDrainWait   = 5 * time.Second
	MaxDrainWait       = 10 * time.Minute
	controlPrefix      = "/_emulator/"
	subscriptionsRoute = controlPrefix + "subscriptions"
)

// PublishResult is the answer of POST /_emulator/events.
type PublishResult struct {
	IDs []string `json:"ids"`
}

// DrainResult is the answer of a successful drain.
type DrainResult struct {
	Subscription string `json:"subscription"`
	Queued       int    `json:"queued"`
}

// Handler serves the engine's control routes with their full paths (mount
// it under /_emulator/ without stripping the prefix):
//
//	POST   /_emulator/subscriptions                   create (201 with the Subscription, also when its handshake failed)
//	GET    /_emulator/subscriptions                   list
//	GET    /_emulator/subscriptions/{name}            get
//	PUT    /_emulator/subscriptions/{name}            update (validates again)
//	DELETE /_emulator/subscriptions/{name}            delete (204)
//	GET    /_emulator/subscriptions/{name}/validate   the validationUrl (?code=; answers the Subscription); POST too, for the CloudEvents callback
//	POST   /_emulator/subscriptions/{name}/drain      wait until the queue is empty (?timeout=5s; 200 or 408)
//	POST   /_emulator/events                          publish Event Grid or CloudEvents JSON (200 {"ids":[...]})
//	GET    /_emulator/deliveries                      attempts (?subscription=&outcome=&eventId=)
//	GET    /_emulator/deadletters                     dead letters (?subscription=)
//
// Errors are {"error":{"code","message"}}.
func (e *Engine) Handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, methods []string, h func(*http.Request) (int, any, error)) {
		for _, m := range methods {
			mux.HandleFunc(m+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
				status, v, err := h(r)
				respond(w, status, v, err)
			})
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 0, nil, wire.Errorf(http.StatusMethodNotAllowed, "MethodNotAllowed",
				"%s is not allowed here; use %s", r.Method, strings.Join(methods, " or ")))
		})
	}
	route(subscriptionsRoute, []string{http.MethodPost, http.MethodGet}, e.serveSubscriptions)
	route(subscriptionsRoute+"/{name}", []string{http.MethodGet, http.MethodPut, http.MethodDelete}, e.serveSubscription)
	route(subscriptionsRoute+"/{name}/validate", []string{http.MethodGet, http.MethodPost}, func(r *http.Request) (int, any, error) {
		sub, err := e.CompleteValidation(r.PathValue("name"), r.URL.Query().Get("code"))
		return http.StatusOK, sub, err
	})
	route(subscriptionsRoute+"/{name}/drain", []string{http.MethodPost}, e.serveDrain)
	route(controlPrefix+"events", []string{http.MethodPost}, e.servePublish)
	route(controlPrefix+"deliveries", []string{http.MethodGet}, func(r *http.Request) (int, any, error) {
		q := r.URL.Query()
		return http.StatusOK, e.Attempts(AttemptFilter{Subscription: q.Get("subscription"), Outcome: q.Get("outcome"), EventID: q.Get("eventId")}), nil
	})
	route(controlPrefix+"deadletters", []string{http.MethodGet}, func(r *http.Request) (int, any, error) {
		return http.StatusOK, e.DeadLetters(r.URL.Query().Get("subscription")), nil
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 0, nil, wire.Errorf(http.StatusNotFound, "NotFound", "no control route %s %s", r.Method, r.URL.Path))
	})
	return mux
}

func (e *Engine) serveSubscriptions(r *http.Request) (int, any, error) {
	if r.Method == http.MethodGet {
		return http.StatusOK, e.Subscriptions(), nil
	}
	var spec SubscriptionSpec
	if err := decodeSpec(r, &spec); err != nil {
		return 0, nil, err
	}
	sub, err := e.CreateSubscription(r.Context(), spec)
	return http.StatusCreated, sub, err
}

func (e *Engine) serveSubscription(r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	switch r.Method {
	case http.MethodGet:
		sub, err := e.Subscription(name)
		return http.StatusOK, sub, err
	case http.MethodDelete:
		return http.StatusNoContent, nil, e.DeleteSubscription(name)
	}
	var spec SubscriptionSpec
	if err := decodeSpec(r, &spec); err != nil {
		return 0, nil, err
	}
	if spec.Name == "" {
		spec.Name = name
	}
	if !strings.EqualFold(spec.Name, name) {
		return 0, nil, invalid("name", "the body names %q but the path names %q", spec.Name, name)
	}
	sub, err := e.UpdateSubscription(r.Context(), spec)
	return http.StatusOK, sub, err
}

func (e *Engine) serveDrain(r *http.Request) (int, any, error) {
	wait := DefaultDrainWait
	if v := r.URL.Query().Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > MaxDrainWait {
			return 0, nil, wire.Errorf(http.StatusBadRequest, "InvalidArgument",
				"timeout: must be a Go duration between 0 and %v, such as 5s (got %q)", MaxDrainWait, v)
		}
		wait = d
	}
	name := r.PathValue("name")
	ctx, cancel := context.WithTimeoutCause(r.Context(), wait, fmt.Errorf("waited %v", wait))
	defer cancel()
	if err := e.Drain(ctx, name); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, DrainResult{Subscription: name}, nil
}

func (e *Engine) servePublish(r *http.Request) (int, any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPublishBody+1))
	if err != nil {
		return 0, nil, wire.Errorf(http.StatusBadRequest, "InvalidEvent", "cannot read the body: %v", err)
	}
	if len(body) > MaxPublishBody {
		return 0, nil, wire.Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge",
			"the request body exceeds %d bytes; publish fewer events per request (each may be up to 1 MB)", MaxPublishBody)
	}
	evs, err := parsePublished(r.Header.Get("Content-Type"), body)
	if err != nil {
		return 0, nil, err
	}
	ids, err := e.publish(evs)
	return http.StatusOK, PublishResult{IDs: ids}, err
}

// decodeSpec reads a SubscriptionSpec, refusing unknown fields (a misspelt
// setting must not silently take its default).
func decodeSpec(r *http.Request, spec *SubscriptionSpec) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSpecBody+1))
	if err != nil {
		return wire.Errorf(http.StatusBadRequest, "InvalidArgument", "cannot read the body: %v", err)
	}
	if len(body) > maxSpecBody {
		return wire.Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "a subscription body may be at most %d bytes", maxSpecBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(spec); err != nil {
		return wire.Errorf(http.StatusBadRequest, "InvalidArgument", "the body is not a subscription: %v", err)
	}
	return nil
}

// respond writes v as indented JSON with status, or err in the control shape.
func respond(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		var we *wire.Error
		if !errors.As(err, &we) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			err = wire.Errorf(http.StatusRequestTimeout, "RequestTimeout", "%v", err)
		}
		wire.Write(w, wire.ShapeControl, err, "")
		return
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
