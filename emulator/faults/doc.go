// Package faults is acsemu's fault injector: seeded, per-request HTTP faults
// on recording downloads and on Event Grid deliveries, so that a test can
// reproduce what breaks resumable downloaders and webhooks in production (a
// connection reset at a chosen byte, a 503 with Retry-After, a changed ETag)
// and replay a random fault sequence from a seed.
//
// # Rules
//
// A Rule has a Match (which requests), a When (which of those) and an Action
// (what happens). Rules are evaluated in order for each request; the first
// rule that fires wins, and a rule that matches without firing (still
// skipping, used up, or lost its draw) lets the next one try, so a rule only
// counts the requests no earlier rule took. Each rule reports how many
// requests it matched and how many it fired on. In JSON:
//
//	{
//	  "id": "cut-40",                       // optional; f1, f2, ... otherwise
//	  "description": "free text",
//	  "match": {
//	    "target": "media",                  // media|metadata|delete|calling|delivery; "" = any data-plane request
//	    "method": "GET",
//	    "path": "/v1/objects/*/content/*",  // path.Match pattern ("*" stops at "/")
//	    "document": "0-eus-*",              // path.Match pattern on the document id
//	    "subscription": "recordings",       // deliveries only
//	    "header": {"aeg-delivery-count": "0"},  // patterns; the header must be present
//	    "range": "present"                  // present|absent
//	  },
//	  "when": {"skip": 1, "times": 2, "probability": 0.3},
//	  "action": {"type": "reset", "afterPercent": 40}
//	}
//
// A rules file (Options.RulesFile, acsemu serve --faults FILE) holds a JSON
// list of rules. A rule is read strictly: an unknown field, a value of the
// wrong type or out of range is refused with a *FieldError naming it
// ("[1].action.afterBytes: must not be negative"), which the control plane
// answers as a 400 InvalidFaultRule.
//
// Data-plane faults apply to requests that passed the signature check (a
// badly signed request still gets its 401), in the emulator's data plane
// through Begin, Before, Download and Finish (see Call).
//
// # Determinism
//
// Each rule has its own random source, seeded by the emulator's seed and the
// rule's ID, and draws from it (probability, jitter, shuffles) only when a
// request reaches it, under the injector's lock. So the same seed and the
// same sequence of requests fire the same faults, whatever else runs.
//
// # Actions
//
// Download actions (targets media and metadata; status and latency also
// delete and calling):
//
//	status               {"status":503,"retryAfter":2}; retryAfter is seconds or an HTTP-date
//	                     string; "retryAfterAsDate":true sends the seconds as a date; "body",
//	                     "contentType", "headers"; "page":"bad-range" is the HTML 400 the real
//	                     service sent for Range: bytes=undefined
//	latency              {"duration":"500ms","jitter":"200ms"} before the header
//	bandwidth            {"bytesPerSecond":1048576}
//	reset                {"afterBytes":N} or {"afterPercent":P}: TCP RST after exactly that many body bytes
//	truncate             the same cut point: clean close, the client sees an unexpected EOF
//	stall                {"afterBytes":N,"duration":"30s"}: pause the body, then go on
//	corrupt              {"offset":N,"length":1}: flip bytes of the representation
//	ignore-range         200 with the whole file whatever Range asks
//	wrong-content-range  {"shift":1} | {"size":N} | {"value":"bytes 0-9/10"}
//	etag-change          {"each":true}: another ETag (one per firing with each)
//
// Delivery actions (target delivery; Injector.DeliveryHook plugs them into
// the Event Grid engine): status (the webhook's answer), timeout
// {"after":"1s"}, drop, duplicate, delay {"duration":"2s","jitter":"1s"},
// reorder {"shuffle":true}.
//
// Waits (latency, stall, bandwidth, delay, timeout) are real time, at most
// MaxWait each, and end when the client goes away or the injector closes.
//
// # Retry-After
//
// Every data-plane response that carries Retry-After (from a status fault or
// from the emulator itself) is remembered by client host and path, on the
// emulator's clock. A request that comes back before it ran out is a
// violation: its journal entry says "retry-after-violation: came back after
// 0.8s of 2s" and Violations counts it.
//
// # Records
//
// Call.Finish returns the text for the request journal's Fault field:
// "<rule id> <action>: <what happened>", after a violation if there was one.
// Every fired fault, data plane or delivery, also goes to a bounded log
// (Fired); for deliveries it names the subscription, the attempt and the
// aeg-output-event-id, which tie it to the Event Grid attempt journal.
package faults
