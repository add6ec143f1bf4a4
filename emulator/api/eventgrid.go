package api

import (
	"encoding/json"
	"time"
)

// EventSchema is an event subscription's delivery schema (ARM
// eventDeliverySchema). The zero value means EventGridSchema, Event Grid's default.
type EventSchema string

// Delivery schemas. CustomInputSchema is not supported by the emulator.
const (
	EventGridSchema  EventSchema = "EventGridSchema"
	CloudEventSchema EventSchema = "CloudEventSchemaV1_0"
)

// EventFilter is the filter object of an event subscription, with ARM's JSON names.
type EventFilter struct {
	IncludedEventTypes              []string         `json:"includedEventTypes,omitempty"`
	SubjectBeginsWith               string           `json:"subjectBeginsWith,omitempty"`
	SubjectEndsWith                 string           `json:"subjectEndsWith,omitempty"`
	IsSubjectCaseSensitive          bool             `json:"isSubjectCaseSensitive,omitempty"`
	AdvancedFilters                 []AdvancedFilter `json:"advancedFilters,omitempty"`
	EnableAdvancedFilteringOnArrays bool             `json:"enableAdvancedFilteringOnArrays,omitempty"`
}

// AdvancedFilter is one advanced filter. Single-value operators (NumberLessThan,
// NumberGreaterThan, NumberLessThanOrEquals, NumberGreaterThanOrEquals,
// BoolEquals) use Value; the others use Values, NumberInRange and
// NumberNotInRange as [[min,max],...]; IsNullOrUndefined and IsNotNull use
// neither.
type AdvancedFilter struct {
	OperatorType string `json:"operatorType"`
	Key          string `json:"key"`
	Value        any    `json:"value,omitempty"`
	Values       []any  `json:"values,omitempty"`
}

// RetryPolicy is a subscription's retry policy; zero fields take the defaults.
type RetryPolicy struct {
	// MaxDeliveryAttempts is 1-30 (default 30).
	MaxDeliveryAttempts int `json:"maxDeliveryAttempts,omitempty"`
	// EventTimeToLiveInMinutes is 1-1440 (default 1440).
	EventTimeToLiveInMinutes int `json:"eventTimeToLiveInMinutes,omitempty"`
}

// DeliveryAttribute is a custom header sent with every delivery: Static (a
// fixed Value, optionally secret: never shown back) or Dynamic (SourceField,
// a dotted JSON path into the event as delivered, such as "data.recordingId";
// the header is left out when the path is missing; with batches the first
// event decides). JSON: {"name","type","value","isSecret","sourceField"}; the
// ARM shape {"name","type","properties":{...}} is accepted too.
type DeliveryAttribute struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Value       string `json:"value,omitempty"`
	IsSecret    bool   `json:"isSecret,omitempty"`
	SourceField string `json:"sourceField,omitempty"`
}

// UnmarshalJSON accepts the flat shape and ARM's nested "properties".
func (a *DeliveryAttribute) UnmarshalJSON(b []byte) error {
	type flat DeliveryAttribute
	var v struct {
		flat
		Properties *flat `json:"properties"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*a = DeliveryAttribute(v.flat)
	if p := v.Properties; p != nil {
		a.Value, a.IsSecret, a.SourceField = p.Value, p.IsSecret, p.SourceField
	}
	return nil
}

// SubscriptionSpec is what a user asks for. Zero values take the defaults.
type SubscriptionSpec struct {
	// Name is 1-64 characters of A-Z, a-z, 0-9 and '-'.
	Name string `json:"name"`
	// EndpointURL is the webhook (http or https); its query string is sent
	// with every delivery and handshake.
	EndpointURL string `json:"endpointUrl"`
	// EventDeliverySchema is EventGridSchema (default) or CloudEventSchemaV1_0.
	EventDeliverySchema EventSchema `json:"eventDeliverySchema,omitempty"`
	// Filter selects the events, evaluated on the event as delivered.
	Filter      EventFilter `json:"filter,omitzero"`
	RetryPolicy RetryPolicy `json:"retryPolicy,omitzero"`
	// MaxEventsPerBatch is 1-5000 (default 1: no batching).
	MaxEventsPerBatch int `json:"maxEventsPerBatch,omitempty"`
	// PreferredBatchSizeInKilobytes is 1-1024 (default 64).
	PreferredBatchSizeInKilobytes int `json:"preferredBatchSizeInKilobytes,omitempty"`
	// DeliveryAttributeMappings holds at most 10 custom headers.
	DeliveryAttributeMappings []DeliveryAttribute `json:"deliveryAttributeMappings,omitempty"`
	// DeadLetter keeps undeliverable events as dead letters instead of
	// dropping them.
	DeadLetter bool `json:"deadLetter,omitempty"`
	// TimeScale overrides the engine's time scale for this subscription (0: inherit).
	TimeScale float64 `json:"timeScale,omitempty"`
	// WebHookRequestCallback adds WebHook-Request-Callback to the CloudEvents
	// handshake, allowing the endpoint to grant asynchronously.
	WebHookRequestCallback bool `json:"webhookRequestCallback,omitempty"`
	// AzureActiveDirectoryTenantID and AzureActiveDirectoryApplicationIDOrURI
	// ask for Entra ID delivery auth, as the real settings do: every delivery
	// and handshake carries "Authorization: Bearer <token>" whose audience is
	// the application id or URI. The emulator issues the token itself (its
	// issuer is the emulator's URL), so the webhook's validation code runs
	// against a discovery document it can reach.
	AzureActiveDirectoryTenantID           string `json:"azureActiveDirectoryTenantId,omitempty"`
	AzureActiveDirectoryApplicationIDOrURI string `json:"azureActiveDirectoryApplicationIdOrUri,omitempty"`
}

// Subscription is a subscription as the engine reports it: the effective
// settings (defaults filled in, secrets hidden) and its state.
type Subscription struct {
	SubscriptionSpec
	ProvisioningState string `json:"provisioningState"`
	// FailureReason says why the subscription is Failed.
	FailureReason string `json:"failureReason,omitempty"`
	// ProvisioningDetail explains AwaitingManualAction (what the endpoint
	// answered and until when the validationUrl is valid).
	ProvisioningDetail string `json:"provisioningDetail,omitempty"`
	// ValidationURL and ValidationExpires are set while AwaitingManualAction.
	ValidationURL     string    `json:"validationUrl,omitempty"`
	ValidationExpires time.Time `json:"validationExpires,omitzero"`
	CreatedTime       time.Time `json:"createdTime"`
	UpdatedTime       time.Time `json:"updatedTime"`
	// Queued counts the events not yet finished: waiting, in flight or
	// awaiting a retry; Retrying counts the last kind.
	Queued       int   `json:"queued"`
	Retrying     int   `json:"retrying"`
	Delivered    int64 `json:"delivered"`
	DeadLettered int64 `json:"deadLettered"`
	Dropped      int64 `json:"dropped"`
	// QueuedBytes is the memory the queued events hold, as the queue
	// bounds count it.
	QueuedBytes int64 `json:"queuedBytes"`
}

// Event is an event to publish. Zero fields take defaults when published: ID
// a seeded GUID, Topic the engine's topic, EventTime the clock's now. JSON
// uses the Event Grid schema's names, so a []Event marshals as an Event Grid
// array.
type Event struct {
	ID          string          `json:"id,omitempty"`
	Topic       string          `json:"topic,omitempty"`
	Subject     string          `json:"subject"`
	EventType   string          `json:"eventType"`
	DataVersion string          `json:"dataVersion,omitempty"`
	EventTime   time.Time       `json:"eventTime,omitzero"`
	Data        json.RawMessage `json:"data,omitempty"`
}

// Attempt is one delivery attempt of one batch.
type Attempt struct {
	// Seq orders attempts (1, 2, ...) across the engine.
	Seq int64 `json:"seq"`
	// Kind is "callback" for a Call Automation callback (Subscription is
	// then the pseudo-subscription "callback:recordingStateChanged", EventIDs
	// the callback's CloudEvent id, Attempt 0-based as for Event Grid), and
	// empty for an Event Grid subscription's delivery.
	Kind         string   `json:"kind,omitempty"`
	Subscription string   `json:"subscription"`
	EventIDs     []string `json:"eventIds"`
	// Attempt is 0-based, the aeg-delivery-count sent.
	Attempt int `json:"attempt"`
	// Status is the webhook's HTTP status, 0 if there was none.
	Status int `json:"status,omitempty"`
	// Error is the transport error, if any.
	Error string `json:"error,omitempty"`
	// Fault is the fault injected into this attempt, if any.
	Fault string `json:"fault,omitempty"`
	// Outcome is Delivered, Skipped (by a DeliveryHook) or a
	// lastDeliveryOutcome (BadRequest, Busy, TimedOut, SocketError, ...).
	Outcome string `json:"outcome"`
	// Disposition is what became of the batch: Delivered, Retrying,
	// DeadLettered or Dropped.
	Disposition string `json:"disposition"`
	// Duration is the wall-clock time the request took.
	Duration time.Duration `json:"duration"`
	// NominalTime is when the attempt happened in nominal (unscaled) time;
	// NextAttemptNominal when the next one is scheduled (zero if none).
	NominalTime        time.Time `json:"nominalTime"`
	NextAttemptNominal time.Time `json:"nextAttemptNominal,omitzero"`
}

// AttemptFilter selects attempts; zero fields match everything. On the wire
// it is the query of GET /_emulator/deliveries.
type AttemptFilter struct {
	Subscription string `json:"subscription,omitempty"`
	// Outcome matches Outcome or Disposition, ignoring case.
	Outcome string `json:"outcome,omitempty"`
	// EventID matches attempts that carried this event.
	EventID string `json:"eventId,omitempty"`
}

// AttemptFilterParams are the query parameters of the deliveries listing.
var AttemptFilterParams = []string{"subscription", "outcome", "eventId"}

// DeadLetterParams are the query parameters of the dead-letter listing.
var DeadLetterParams = []string{"subscription"}

// DeadLetter is one dead-lettered event.
type DeadLetter struct {
	Subscription            string    `json:"subscription"`
	EventID                 string    `json:"eventId"`
	DeadLetterReason        string    `json:"deadLetterReason"`
	DeliveryAttempts        int       `json:"deliveryAttempts"`
	LastDeliveryOutcome     string    `json:"lastDeliveryOutcome"`
	LastHTTPStatusCode      int       `json:"lastHttpStatusCode"`
	PublishTime             time.Time `json:"publishTime"`
	LastDeliveryAttemptTime time.Time `json:"lastDeliveryAttemptTime,omitzero"`
	// Time is when the event was dead-lettered (nominal time).
	Time time.Time `json:"time"`
	// BlobPath is where Azure would store it in the dead-letter container:
	// <SUBSCRIPTION NAME UPPER>/yyyy/M/d/H/<guid>.json (also the path under
	// the engine's dead-letter directory when set).
	BlobPath string `json:"blobPath"`
	// Record is the dead-letter event in the real shape: the event as
	// delivered plus deadLetterReason, deliveryAttempts,
	// lastDeliveryOutcome, lastHttpStatusCode, publishTime and
	// lastDeliveryAttemptTime (all lower case for CloudEvents).
	Record json.RawMessage `json:"record"`
}

// PublishResult is the answer of POST /_emulator/events.
type PublishResult struct {
	IDs []string `json:"ids"`
}

// DrainResult is the answer of a successful drain.
type DrainResult struct {
	Subscription string `json:"subscription"`
	Queued       int    `json:"queued"`
}
