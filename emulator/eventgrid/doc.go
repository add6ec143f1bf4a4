// Package eventgrid is acsemu's Event Grid push-delivery engine: event
// subscriptions with webhook endpoints, the validation handshakes, delivery
// with the real headers, batching, retry schedule, TTL and dead-lettering, and
// a journal of every attempt. Delivery is a set of observable queues, never
// fire-and-forget: a test can read the attempts, wait for a subscription's
// queue to drain and read the dead letters.
//
// # Subscriptions
//
// CreateSubscription checks the settings (a 400 *wire.Error names the field
// and the allowed range), runs the validation handshake synchronously and
// returns the subscription in provisioning state Succeeded,
// AwaitingManualAction or Failed; a failed handshake is not an error, its
// FailureReason says what the endpoint did wrong. Only Succeeded subscriptions
// receive events. UpdateSubscription replaces the settings and validates again
// (events already queued stay queued and wait while the subscription is not
// Succeeded).
//
// Event Grid schema: the endpoint receives a POST with an array holding one
// Microsoft.EventGrid.SubscriptionValidationEvent and the header
// aeg-event-type: SubscriptionValidation. 200 with {"validationResponse":code}
// (exact, case-sensitive property name) succeeds; 200 without it leaves the
// subscription AwaitingManualAction until its validationUrl (served by the
// control route /_emulator/subscriptions/{name}/validate) is called, for at
// most ManualValidationWindow of clock time (not scaled); any other status, a
// wrong code, a network error or two timeouts (the timed-out attempt is
// retried once after 5 s, scaled) fail it.
//
// CloudEvents 1.0 schema: the endpoint receives the OPTIONS abuse-protection
// request with WebHook-Request-Origin: eventgrid.azure.net and
// WebHook-Request-Rate; it succeeds iff the answer is 200 with
// WebHook-Allowed-Origin equal to the origin or "*". With
// SubscriptionSpec.WebHookRequestCallback the request also carries
// WebHook-Request-Callback (the validationUrl), and an endpoint that answers
// 200 or 202 without granting may grant later with a GET or POST on it.
//
// # Delivery
//
// Publish renders each event in every matching subscription's delivery
// schema (Event Grid, or CloudEvents 1.0 with source = topic and type =
// eventType) and appends it to the subscription's queue. Filters are
// evaluated by package filter against the event as rendered in the
// subscription's delivery schema, so a CloudEvents subscription filters on
// "type" and "source". Each subscription has one worker goroutine, owned by
// the Engine and stopped by DeleteSubscription, Reset and Close. It sends
// batches of at most maxEventsPerBatch events and preferredBatchSizeInKilobytes
// bytes (an event larger than that goes alone), never waiting to fill a batch.
// Requests carry aeg-event-type: Notification, aeg-subscription-name (upper
// case), aeg-delivery-count (0 on the first attempt), aeg-data-version and
// aeg-metadata-version (Event Grid schema) or aeg-metadata-version "1.0", the
// CloudEvents spec version, and no data version (CloudEvents),
// aeg-output-event-id (the id of the delivered event, the first of a batch;
// stable across retries) and the subscription's delivery attributes; Event Grid schema
// bodies are JSON arrays, CloudEvents bodies a single
// application/cloudevents+json object when maxEventsPerBatch is 1 and an
// application/cloudevents-batch+json array otherwise.
//
// Only 200-204 is success. 400, 401, 403 and 413 are not retried: the batch is
// dead-lettered (if the subscription has deadLetter) or dropped. Anything
// else, including network errors, timeouts and redirects (which are never
// followed), is retried after 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h,
// 3 h, 6 h and then every 12 h, never sooner than the status's floor (408: 2
// min, 503: 30 s, 401 and 404: 5 min, anything else: 10 s), plus a seeded
// random spread of up to 10 %. Delivery stops at maxDeliveryAttempts or when
// an attempt is due after the events' time to live (TTL is checked when the
// next attempt is due), and the events are dead-lettered with
// deadLetterReason MaxDeliveryAttemptsExceeded (also used, as Azure does, for
// the codes that are not retried) or TimeToLiveExceeded.
//
// # Time
//
// All waiting is done on the injected clock.Clock: a retry delay d is waited
// as d × TimeScale (the subscription's timeScale overrides Options.TimeScale),
// so 0.001 runs the 24-hour schedule in about 86 s of clock time. The journal
// keeps nominal times: an Attempt's NominalTime is the clock time of the
// batch's first attempt plus the sum of the nominal (unscaled) delays before
// it, so the gaps in the journal read 10 s, 30 s, ... whatever the scale, and
// TTL is judged on nominal times too.
//
// DeliveryTimeout (default 30 s) is the per-request timeout for deliveries and
// handshakes. It is wall-clock time and is NOT scaled: a webhook's response
// time is real, and scaling the timeout would turn a healthy 20 ms answer into
// a timeout at TimeScale 0.001. Set it lower to test slow webhooks quickly.
//
// # Bounds
//
// Webhook responses are read up to 64 KiB and then closed; an event may be at
// most 1 MiB; a subscription's queue holds at most MaxQueuedEvents events and
// MaxQueuedBytes bytes (Publish fails with 503 QueueFull, enqueueing nothing,
// when any target is full); all queues together hold at most
// MaxTotalQueuedBytes, counting a shared event once (Publish fails with 429
// and Retry-After beyond it); bytes are what an event holds in memory; the attempt journal and the dead-letter list are
// bounded rings. A webhook that hangs, resets or answers gigabytes only
// delays its own subscription.
//
// # Fault injection
//
// Options.DeliveryHook is the seam for a fault injector: it sees each
// delivery request before it is sent and may answer in its place, fail it
// with a transport error, or swallow it. The engine itself injects no faults.
//
// # Control plane
//
// The engine's control routes (subscriptions, validation URL, events,
// deliveries, drain and dead letters under /_emulator/) are lines of the
// emulator's one route table (emulator/controlroutes.go), which calls the
// Engine's methods; the wire types are in package api, the typed client in
// package control.
package eventgrid
