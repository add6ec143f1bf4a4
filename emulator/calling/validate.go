package calling

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/wire"
)

// MaxChannel is the largest channel a channelAffinity entry may name (the REST
// specification's maximum).
const MaxChannel = 4

// maxIDLength bounds ids and URLs taken from a start request.
const maxIDLength = 2048

// plan is a validated start request.
type plan struct {
	locatorKind, serverCallID, groupCallID, roomID, callConnectionID string

	callbackURI                      string
	contentType, channelType, format string
	// participants in channel order (channel = index for unmixed audio).
	participants []string
	pauseOnStart bool
	storageKind  string
	storageURL   string
}

func badRequest(target, format string, args ...any) *wire.Error {
	return &wire.Error{Status: http.StatusBadRequest, Code: "BadRequest", Target: target, Message: fmt.Sprintf(format, args...)}
}

// parseStart decodes and checks a start body; every error names the offending field in target.
func parseStart(body []byte) (*plan, *wire.Error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("startCallRecording", "A non-empty request body is required.")
	}
	var req api.StartRecordingRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, badRequest(te.Field, "The JSON value of %s could not be converted to %s.", te.Field, te.Type)
		}
		return nil, badRequest("startCallRecording", "The request body is not valid JSON: %v.", err)
	}
	p := &plan{callbackURI: req.RecordingStateCallbackURI, callConnectionID: req.CallConnectionID}
	if err := p.locator(&req); err != nil {
		return nil, err
	}
	if p.callbackURI != "" {
		if err := checkURL("recordingStateCallbackUri", p.callbackURI); err != nil {
			return nil, err
		}
	}
	if err := p.media(&req); err != nil {
		return nil, err
	}
	if err := p.channels(&req); err != nil {
		return nil, err
	}
	p.pauseOnStart = req.PauseOnStart != nil && *req.PauseOnStart
	if st := req.ExternalStorage; st != nil {
		kind, err := enum("externalStorage.recordingStorageKind", st.RecordingStorageKind, true, api.RecordingStorageACS, api.RecordingStorageBlob)
		if err != nil {
			return nil, err
		}
		p.storageKind, p.storageURL = kind, st.RecordingDestinationContainerURL
		if kind == api.RecordingStorageBlob || p.storageURL != "" {
			if err := checkURL("externalStorage.recordingDestinationContainerUrl", p.storageURL); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

func (p *plan) locator(req *api.StartRecordingRequest) *wire.Error {
	loc := req.CallLocator
	switch {
	case loc == nil && req.CallConnectionID == "":
		return badRequest("callLocator", "Either callLocator or callConnectionId is required.")
	case loc != nil && req.CallConnectionID != "":
		return badRequest("callLocator", "Give either callLocator or callConnectionId, not both.")
	case loc == nil:
		if len(req.CallConnectionID) > maxIDLength {
			return badRequest("callConnectionId", "callConnectionId is longer than %d characters.", maxIDLength)
		}
		p.locatorKind = "callConnection"
		return nil
	}
	kinds := []struct{ kind, field, id string }{
		{api.LocatorServerCall, "serverCallId", loc.ServerCallID},
		{api.LocatorGroupCall, "groupCallId", loc.GroupCallID},
		{api.LocatorRoomCall, "roomId", loc.RoomID},
	}
	kind := loc.Kind
	for _, k := range kinds {
		if kind == "" && k.id != "" { // infer the kind from the first id given
			kind = k.kind
		}
	}
	kind, err := enum("callLocator.kind", kind, true, api.LocatorServerCall, api.LocatorGroupCall, api.LocatorRoomCall)
	if err != nil {
		return err
	}
	for _, k := range kinds {
		target := "callLocator." + k.field
		switch {
		case k.kind == kind && k.id == "":
			return badRequest(target, "%s is required for a %s.", target, kind)
		case k.kind != kind && k.id != "":
			return badRequest(target, "%s cannot be given with a %s.", target, kind)
		case len(k.id) > maxIDLength:
			return badRequest(target, "%s is longer than %d characters.", target, maxIDLength)
		}
	}
	p.locatorKind, p.serverCallID, p.groupCallID, p.roomID = kind, loc.ServerCallID, loc.GroupCallID, loc.RoomID
	return nil
}

// media applies the service's defaults (mixed audioVideo mp4) and its
// combinations: audioVideo is mp4 only, audio is wav or mp3, unmixed is wav audio.
func (p *plan) media(req *api.StartRecordingRequest) *wire.Error {
	var err *wire.Error
	if p.contentType, err = enum("recordingContentType", req.RecordingContentType, false, recordings.ContentAudio, recordings.ContentAudioVideo); err != nil {
		return err
	}
	if p.channelType, err = enum("recordingChannelType", req.RecordingChannelType, false, recordings.ChannelMixed, recordings.ChannelUnmixed); err != nil {
		return err
	}
	if p.format, err = enum("recordingFormatType", req.RecordingFormatType, false, recordings.FormatWAV, recordings.FormatMP3, recordings.FormatMP4); err != nil {
		return err
	}
	if p.channelType == "" {
		p.channelType = recordings.ChannelMixed
	}
	if p.contentType == "" {
		p.contentType = recordings.ContentAudioVideo
		if p.format == recordings.FormatWAV || p.format == recordings.FormatMP3 || p.channelType == recordings.ChannelUnmixed {
			p.contentType = recordings.ContentAudio
		}
	}
	if p.format == "" {
		switch {
		case p.contentType == recordings.ContentAudioVideo:
			p.format = recordings.FormatMP4
		case p.channelType == recordings.ChannelUnmixed:
			p.format = recordings.FormatWAV
		default:
			p.format = recordings.FormatMP3
		}
	}
	switch {
	case p.contentType == recordings.ContentAudioVideo && p.format != recordings.FormatMP4:
		return badRequest("recordingFormatType", "audioVideo recordings are mp4; %s is not supported with recordingContentType audioVideo.", p.format)
	case p.contentType == recordings.ContentAudio && p.format == recordings.FormatMP4:
		return badRequest("recordingFormatType", "mp4 needs recordingContentType audioVideo; audio recordings are wav or mp3.")
	case p.channelType == recordings.ChannelUnmixed && (p.contentType != recordings.ContentAudio || p.format != recordings.FormatWAV):
		return badRequest("recordingChannelType", "unmixed recordings are audio in wav, not %s %s.", p.contentType, p.format)
	}
	return nil
}

// channels orders the participants: channelAffinity pins participants to
// channels, the others (audioChannelParticipantOrdering first, then unpinned
// affinity entries) take the lowest free channels. Channel numbers are then
// compacted, so a participant's channel in the metadata is its rank.
func (p *plan) channels(req *api.StartRecordingRequest) *wire.Error {
	pinned := map[int]string{}
	isPinned := map[string]bool{}
	var loose []string
	for i, a := range req.ChannelAffinity {
		field := fmt.Sprintf("channelAffinity[%d]", i)
		if a.Participant == nil || rawID(*a.Participant) == "" {
			return badRequest(field+".participant", "%s.participant is required and must have a rawId or a typed identifier.", field)
		}
		id := rawID(*a.Participant)
		if isPinned[id] || slices.Contains(loose, id) {
			return badRequest(field+".participant", "%s appears twice in channelAffinity.", id)
		}
		if a.Channel == nil {
			loose = append(loose, id)
			continue
		}
		switch ch := *a.Channel; {
		case ch < 0 || ch > MaxChannel:
			return badRequest(field+".channel", "%s.channel must be between 0 and %d, got %d.", field, MaxChannel, ch)
		case pinned[ch] != "":
			return badRequest(field+".channel", "channel %d is given to two participants.", ch)
		default:
			pinned[ch], isPinned[id] = id, true
		}
	}
	var rest []string
	for i, ident := range req.AudioChannelParticipantOrdering {
		id := rawID(ident)
		field := fmt.Sprintf("audioChannelParticipantOrdering[%d]", i)
		switch {
		case id == "":
			return badRequest(field, "%s must have a rawId or a typed identifier.", field)
		case slices.Contains(rest, id):
			return badRequest(field, "%s appears twice in audioChannelParticipantOrdering.", id)
		case !isPinned[id]:
			rest = append(rest, id)
		}
	}
	for _, id := range loose {
		if !slices.Contains(rest, id) {
			rest = append(rest, id)
		}
	}
	if n := len(pinned) + len(rest); n > recordings.MaxParticipants {
		return badRequest("audioChannelParticipantOrdering", "at most %d participants can be ordered, got %d.", recordings.MaxParticipants, n)
	}
	for ch := 0; len(rest) > 0; ch++ {
		if pinned[ch] == "" {
			pinned[ch], rest = rest[0], rest[1:]
		}
	}
	chans := make([]int, 0, len(pinned))
	for ch := range pinned {
		chans = append(chans, ch)
	}
	slices.Sort(chans)
	for _, ch := range chans {
		p.participants = append(p.participants, pinned[ch])
	}
	return nil
}

// enum matches v case-insensitively against allowed and returns the canonical
// spelling; "" is an error only when required.
func enum(field, v string, required bool, allowed ...string) (string, *wire.Error) {
	if v == "" {
		if required {
			return "", badRequest(field, "%s is required; use %s.", field, strings.Join(allowed, ", "))
		}
		return "", nil
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, nil
		}
	}
	return "", badRequest(field, "'%s' is not a valid value for %s; use %s.", v, field, strings.Join(allowed, ", "))
}

func checkURL(field, v string) *wire.Error {
	u, err := url.Parse(v)
	if err != nil || len(v) > maxIDLength || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badRequest(field, "%s must be an absolute http or https URL of at most %d characters, got %q.", field, maxIDLength, v)
	}
	return nil
}

// rawID is an identifier's raw id, as the recording metadata lists participants.
func rawID(id api.Identifier) string {
	switch {
	case id.RawID != "":
		return id.RawID
	case id.CommunicationUser != nil && id.CommunicationUser.ID != "":
		return id.CommunicationUser.ID
	case id.PhoneNumber != nil && id.PhoneNumber.Value != "":
		return "4:" + id.PhoneNumber.Value
	case id.MicrosoftTeamsUser != nil && id.MicrosoftTeamsUser.UserID != "":
		return "8:orgid:" + id.MicrosoftTeamsUser.UserID
	case id.MicrosoftTeamsApp != nil && id.MicrosoftTeamsApp.AppID != "":
		return "28:orgid:" + id.MicrosoftTeamsApp.AppID
	}
	return ""
}
