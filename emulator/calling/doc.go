// Package calling emulates the Call Automation recording API of Azure
// Communication Services: start, state, pause, resume and stop of a call
// recording, RecordingStateChanged callbacks, and the finished recording (with
// its RecordingFileStatusUpdated event) once the recording is stopped.
//
// The emulator's data plane verifies a request's HMAC signature, then hands
// paths under /calling/recordings to Service.Serve; the control plane hands
// /_emulator/clock and /_emulator/calls/... to the Service methods ClockState, AdvanceClock, Recordings and Recording.
//
// # API
//
//	POST   /calling/recordings?api-version=V           start  → 200 {recordingId, recordingState: "inactive", recordingKind}
//	GET    /calling/recordings/{id}?api-version=V      state  → 200, same body
//	POST   /calling/recordings/{id}:pause?api-version=V       → 202, empty
//	POST   /calling/recordings/{id}:resume?api-version=V      → 202, empty
//	DELETE /calling/recordings/{id}?api-version=V      stop   → 204, empty
//	GET    /calling/recordings/{id}/result?api-version=2024-09-01-preview → 200 ResultResponse
//
// As recorded from the real service, start answers "inactive" and the
// recording turns "active" when media flows, ActivationDelay (default 2 s of
// recording-clock time, PUT /_emulator/calls/settings) later; pauseOnStart
// keeps it inactive. A pause before then keeps it inactive like pauseOnStart,
// a resume before then activates it at once (both chosen). recordingKind is
// absent at api-version 2023-10-15 and older. Every answer, errors included,
// carries api-supported-versions, the echoed x-ms-client-request-id,
// X-Microsoft-Skype-Chain-ID, MS-CV, X-Microsoft-Skype-Client and
// X-Ms-Client-Version (SetResponseHeaders). The recording id is unpadded
// base64url of {"PlatformEndpointId": call connection id, "ResourceSpecificId": uuid};
// a recording started with a call locator gets a generated call connection id.
//
// The start body is api.StartRecordingRequest: callLocator {serverCallId|groupCallId|roomId,
// kind} or callConnectionId, recordingStateCallbackUri, recordingContentType
// (audio|audioVideo), recordingChannelType (mixed|unmixed), recordingFormatType
// (wav|mp3|mp4), audioChannelParticipantOrdering, channelAffinity, pauseOnStart,
// externalStorage. Enum values match case-insensitively; null and unknown
// fields are ignored. Defaults are the service's: mixed audioVideo mp4; audio
// alone defaults to mp3 (mixed) or wav (unmixed). audioVideo is mp4 only,
// audio is wav or mp3, unmixed is wav audio. recordingKind is always
// azureCommunicationServices. externalStorage is checked but the file stays in
// the emulator.
//
// Repeatability-Request-ID (a UUID) with Repeatability-First-Sent (an HTTP
// date) makes a start repeatable: the same pair and body within the last
// 10,000 repeatable starts (there is no time window) returns the first
// answer and starts nothing;
// the same id with another date or body is a 409 Conflict. Successful
// repeatable starts carry Repeatability-Result: accepted.
//
// api-version is required and must be one of APIVersions: GAVersions, the
// list the real service sends in api-supported-versions, and
// 2023-10-03-preview (PreviewVersions, answered with that shorter list).
//
// # Errors
//
// Errors have the service's shape {"error":{"code","message","target"}}; the
// emulator's own explanation goes in the X-Acsemu-Explanation header and the
// journal. 8522 (and 7509 for a bad signature, answered by the data plane)
// are recorded; the other codes are the emulator's choice (README, "Fidelity"):
//
//	400 MissingApiVersionParameter   no api-version
//	400 UnsupportedApiVersion        api-version not in APIVersions
//	400 BadRequest, target=field     empty or invalid JSON body, bad enum value, missing or
//	                                 ambiguous call locator, bad URL, bad participant or channel,
//	                                 a combination the service refuses, bad Repeatability-* header
//	400 BadRequest, target=recordingId  pause when already paused ("Recording is already paused."),
//	                                 resume when active ("Recording is already active."),
//	                                 more than 1,000 pauses
//	404 8522 "Recording not found."  unknown id, any call on a stopped recording
//	                                 (so a second stop is a 404), a result not ready yet
//	405 MethodNotAllowed             with an Allow header
//	409 Conflict                     Repeatability-Request-ID reused for another request
//	413 RequestEntityTooLarge        start body over 64 KiB
//
// # Time
//
// Recording time follows the recording clock. When the emulator runs on a
// *clock.Manual, that is the manual clock, and Advance (POST /_emulator/clock
// {"advance":"2h"}) advances all of the emulator's time. Otherwise it is an
// clock.Offset over the emulator's clock: Advance moves only the recording
// clock ahead, so recordings, processing delays and callback retries jump
// forward while signature dates, the journal and Event Grid stay on the wall
// clock and real SDK clients keep working.
//
// The active duration is the time between start and stop minus the pauses.
// Each pause becomes a recordings.Pause at the active offset where it began,
// listed in the metadata's pauseResumeIntervals; a pause still open at stop
// lasts until stop, pauseOnStart is a pause at 0, and a pause of zero clock
// time leaves no trace. A recording that was never active produces no file.
//
// Participants, in channel order, are the channelAffinity participants at
// their channels (0..MaxChannel) and the others (audioChannelParticipantOrdering
// first) in the lowest free channels; channel numbers are then compacted, so
// in the metadata a participant's channel is its rank. Without any, the store
// makes two participants.
//
// # Callbacks and the file
//
// Every state change (start: inactive with startDateTime 0001-01-01T00:00:00+00:00;
// activation: active; pause; resume; stop: inactive) POSTs a CloudEvents array
// with one Microsoft.Communication.RecordingStateChanged event (source and
// subject calling/recordings/{serverCallId}/{recordingId}/RecordingStateChanged,
// times with seven fractional digits and +00:00, data as StateChangedData) to
// recordingStateCallbackUri. One goroutine
// delivers callbacks in order; a callback is retried after 2 s, 4 s, 8 s, ...
// of recording-clock time until a 2xx or 5 attempts (chosen: no recording
// shows the service's retries), and every attempt is journaled with plane
// "callback". Attempts are sent through Options.Outbound, the emulator's
// Event Grid engine: the delivery fault hook sees them (pseudo-subscription
// CallbackSubscription) and each is recorded as an api.Attempt of kind
// "callback" in the deliveries journal.
//
// ProcessingDelay (recording-clock time) after stop, the recording is created
// in the store under the same recordingId, with its chunks, and published
// through Options.Publish (RecordingFileStatusUpdated). GET
// /_emulator/calls/recordings/{id}?wait=10s waits for that.
//
// Not emulated: call connections (any call locator or callConnectionId is
// accepted), teams recording kinds, writing to external
// storage, one-recording-per-call limits.
package calling
