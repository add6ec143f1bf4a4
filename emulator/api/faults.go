package api

import (
	"encoding/json"
	"time"
)

// TargetDelivery is the fault target of Event Grid delivery attempts; the
// other targets are the journal's data-plane targets (media, metadata,
// delete, calling).
const TargetDelivery = "delivery"

// FaultRule is a fault rule as the control plane reads and lists it: which
// requests it matches, when it fires among them, and what it does.
type FaultRule struct {
	// ID names the rule; "" has one assigned (f1, f2, ...).
	ID string `json:"id,omitempty"`
	// Description is free text shown in listings.
	Description string     `json:"description,omitempty"`
	Match       FaultMatch `json:"match"`
	When        FaultWhen  `json:"when"`
	// Action is the action's JSON form: {"type": KIND, parameters...}, for
	// example {"type":"status","status":503,"retryAfter":"5"}. The kinds and
	// their parameters are those of the emulator's fault injector
	// (acsemu faults --help lists them); the server validates them.
	Action FaultAction `json:"action"`
}

// FaultAction is a fault action in its JSON form, {"type": KIND,
// parameters...}, kept as sent so listings show it in the injector's order.
type FaultAction = json.RawMessage

// FaultMatch selects requests; empty fields match everything.
type FaultMatch struct {
	// Target is media, metadata, delete, calling or delivery. "" means every
	// data-plane request the action applies to (never deliveries).
	Target string `json:"target,omitempty"`
	// Method matches the HTTP method, ignoring case.
	Method string `json:"method,omitempty"`
	// Path is a path.Match pattern on the URL path ("*" does not cross "/").
	// For deliveries it is the webhook URL's path.
	Path string `json:"path,omitempty"`
	// Document is a path.Match pattern on the document id (downloads and deletes).
	Document string `json:"document,omitempty"`
	// Subscription is the Event Grid subscription name, ignoring case (deliveries).
	Subscription string `json:"subscription,omitempty"`
	// Header maps header names to path.Match patterns on their value; the
	// header must be present.
	Header map[string]string `json:"header,omitempty"`
	// Range is "present" (a Range header was sent), "absent", or "" for either.
	Range string `json:"range,omitempty"`
}

// FaultWhen says which of the matching requests the rule fires on: it lets the
// first Skip go by, then fires on each with the given Probability, at most
// Times times (0: no limit).
type FaultWhen struct {
	Skip  int `json:"skip,omitempty"`
	Times int `json:"times,omitempty"`
	// Probability is in (0, 1]; nil means 1. Draws come from the rule's own
	// source, seeded by the emulator's seed and the rule's ID.
	Probability *float64 `json:"probability,omitempty"`
}

// FaultRuleStatus is a rule with its counters, as listings show it.
type FaultRuleStatus struct {
	Rule FaultRule `json:"rule"`
	// Matched counts the requests that reached this rule and matched it;
	// Fired those it fired on.
	Matched int64 `json:"matched"`
	Fired   int64 `json:"fired"`
}

// Fired is one fired fault, as GET /_emulator/faults/fired lists it. For
// data-plane requests the same text is in the request's journal entry (Fault
// field); for deliveries, whose attempts the Event Grid journal keeps, this
// log is the record.
type Fired struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Rule   string    `json:"rule"`
	Action string    `json:"action"`
	// Fault is the journal text: "<rule> <action>: <what happened>".
	Fault      string `json:"fault"`
	Target     string `json:"target"`
	Method     string `json:"method,omitempty"`
	Path       string `json:"path,omitempty"`
	DocumentID string `json:"documentId,omitempty"`
	RemoteAddr string `json:"remoteAddr,omitempty"`
	// Subscription and Attempt (the aeg-delivery-count sent) identify a delivery.
	Subscription string `json:"subscription,omitempty"`
	Attempt      int    `json:"attempt,omitempty"`
	// OutputEventID is the delivery's aeg-output-event-id, shared by the
	// attempts of one batch.
	OutputEventID string `json:"outputEventId,omitempty"`
}

// Violation is a client that came back before the Retry-After it was given.
type Violation struct {
	Time time.Time `json:"time"`
	// Client is the remote host (without the port: a retry may use a new
	// connection); Path is the URL path it was given Retry-After on.
	Client string `json:"client"`
	Path   string `json:"path"`
	// RetryAfter is the header value sent, GivenAt when (emulator clock).
	RetryAfter string    `json:"retryAfter"`
	GivenAt    time.Time `json:"givenAt"`
	// Waited is how long the client waited; Required how long it should have.
	Waited   Duration `json:"waited"`
	Required Duration `json:"required"`
	// Rule is the rule whose response carried the Retry-After ("" if the
	// emulator itself sent it).
	Rule string `json:"rule,omitempty"`
}

// Violations is the answer of GET /_emulator/faults/violations.
type Violations struct {
	// Count counts every violation since the start (or Reset).
	Count int64 `json:"count"`
	// Recent holds the most recent ones, oldest first (at most 1,000).
	Recent []Violation `json:"recent"`
}
