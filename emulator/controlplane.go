package emulator

import (
	"bytes"
	"net/http"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/wire"
)

// controlReadTimeout bounds how long reading a control-plane request body
// (at most an uploaded document) may take.
const controlReadTimeout = 5 * time.Minute

// maxControlBody bounds JSON bodies sent to the control plane.
const maxControlBody = 1 << 20

func (s *Server) getConfig(*http.Request) (any, error) { return s.withBounds(s.config()), nil }

func (s *Server) reset(*http.Request) (any, error) {
	s.store.Reset()
	s.events.Reset()
	s.calling.Reset()
	s.faults.Reset()
	s.tokens.ClearFaults()
	s.journal.Reset()
	return nil, nil
}

func (s *Server) listRecordings(*http.Request) (any, error) {
	out := []api.Recording{}
	for _, rec := range s.store.Recordings() {
		view, err := s.recordingView(rec, true)
		if err != nil {
			return nil, err
		}
		out = append(out, view)
	}
	return out, nil
}

func (s *Server) getRecording(r *http.Request) (any, error) {
	rec, ok := s.store.Recording(r.PathValue("id"))
	if !ok {
		return nil, wire.Errorf(http.StatusNotFound, "NotFound", "no recording %q", r.PathValue("id"))
	}
	s.waitHashes(r, rec.Documents...)
	return s.recordingView(rec, true)
}

func (s *Server) listDocuments(*http.Request) (any, error) {
	out := []api.Document{}
	for _, d := range s.store.Documents() {
		view, err := s.documentView(d, true)
		if err != nil {
			return nil, err
		}
		out = append(out, view)
	}
	return out, nil
}

func (s *Server) getDocument(r *http.Request) (any, error) {
	d, ok := s.store.Document(r.PathValue("id"))
	if !ok {
		return nil, wire.Errorf(http.StatusNotFound, "NotFound", "no document %q", r.PathValue("id"))
	}
	s.waitHashes(r, d)
	return s.documentView(d, true)
}

func (s *Server) caPEM(*http.Request) (any, error) {
	if s.ca == nil {
		return nil, wire.Errorf(http.StatusNotFound, "NotFound", "the emulator runs without TLS; start it with --tls to get a CA")
	}
	return rawBody{contentType: "application/x-pem-file", data: s.ca.CAPEM}, nil
}

func (s *Server) config() api.Config {
	skew := "disabled"
	if s.opts.MaxClockSkew > 0 {
		skew = s.opts.MaxClockSkew.String()
	}
	// A custom key is a secret the control plane never reveals; the public
	// development key may be shown.
	custom := !bytes.Equal(s.opts.AccessKey, DevAccessKey)
	conn := s.ConnectionString()
	if custom {
		conn = ""
	}
	return api.Config{URL: s.url, ConnectionString: conn, CustomAccessKey: custom, StorageBaseURL: s.StorageBaseURL(),
		MaxClockSkew: skew, StrictAuth: s.opts.StrictAuth, Seed: s.opts.Seed, TLS: s.ca != nil, EventTimeScale: s.opts.EventTimeScale}
}

func (s *Server) createRecording(r *http.Request) (any, error) {
	var in api.RecordingSpec
	if err := decodeJSON(r, &in, maxControlBody, "BadRequest"); err != nil {
		return nil, err
	}
	if in.ParticipantCount < 0 || in.ParticipantCount > recordings.MaxParticipants {
		return nil, wire.Errorf(http.StatusBadRequest, "BadRequest", "participantCount: must be between 0 and %d", recordings.MaxParticipants)
	}
	spec := recordings.Spec{Duration: time.Duration(in.Duration), Format: in.Format, ContentType: in.ContentType,
		ChannelType: in.ChannelType, Participants: in.Participants, ChunkSizeLimit: in.ChunkSizeLimit, Seed: in.Seed,
		CallID: in.CallID, ServerCallID: in.ServerCallID, SessionEndReason: in.SessionEndReason}
	for i := 0; len(in.Participants) == 0 && i < in.ParticipantCount; i++ {
		spec.Participants = append(spec.Participants, s.store.NewParticipantID())
	}
	if in.StartTime != nil {
		spec.StartTime = *in.StartTime
	}
	for _, p := range in.Pauses {
		spec.Pauses = append(spec.Pauses, recordings.Pause{At: time.Duration(p.At), Duration: time.Duration(p.Duration)})
	}
	rec, err := s.store.Create(spec)
	if err != nil {
		return nil, err
	}
	if !in.NoEvent {
		if err := s.publishRecording(r.Context(), rec); err != nil {
			return nil, err
		}
	}
	// Creating hashes nothing (a tiny recording excepted): the answer says
	// sha256Pending, and hashing starts when a hash is first asked for.
	s.waitHashes(r, rec.Documents...)
	return s.recordingView(rec, false)
}

func (s *Server) uploadDocument(r *http.Request) (any, error) {
	data, err := readBody(r, s.store.MaxUpload(), "BadRequest")
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	d, err := s.store.Upload(r.PathValue("id"), data, q.Get("contentType"), q.Get("kind"))
	if err != nil {
		return nil, err
	}
	s.waitHashes(r, d)
	return s.documentView(d, true)
}

// recordingView is rec for the control plane; start begins computing the
// hashes not known yet (see documentView).
func (s *Server) recordingView(rec *recordings.Recording, start bool) (api.Recording, error) {
	v := api.Recording{ID: rec.ID, CallID: rec.CallID, ServerCallID: rec.ServerCallID, Subject: rec.Subject(),
		StartTime: rec.StartTime, DurationMs: rec.Duration.Milliseconds(), Format: rec.Spec.Format,
		ContentType: rec.Spec.ContentType, ChannelType: rec.Spec.ChannelType, Participants: rec.Spec.Participants,
		Seed: rec.Spec.Seed, Documents: []api.Document{}}
	for _, d := range rec.Documents {
		dv, err := s.documentView(d, start)
		if err != nil {
			return v, err
		}
		v.Documents = append(v.Documents, dv)
	}
	return v, nil
}

// documentView is d for the control plane. Its hashes are those known; with
// start, asking for them begins computing the others in the background.
func (s *Server) documentView(d *recordings.Document, start bool) (api.Document, error) {
	media, meta := d.Media(), d.Metadata()
	status := s.hasher.Peek
	if start {
		status = s.hasher.Status
	}
	mediaHash, mediaPending, err := status(media)
	if err != nil {
		return api.Document{}, err
	}
	metaHash, metaPending, err := s.hasher.Status(meta) // a few KB: hashed on the spot
	if err != nil {
		return api.Document{}, err
	}
	loc := recordings.LocationsOf(d, s.StorageBaseURL())
	preview := s.url + "/recording/download/" + d.ID
	return api.Document{ID: d.ID, RecordingID: d.RecordingID, Index: d.Index, EndReason: d.EndReason,
		MediaKind: d.MediaKind, StartTime: d.StartTime, DurationMs: d.Duration.Milliseconds(), Size: media.Size(),
		SHA256: mediaHash, MIMEType: media.MIMEType, ETag: media.ETag, MetadataSize: meta.Size(), MetadataSHA256: metaHash,
		HashPending: mediaPending || metaPending, ContentLocation: loc.Content, MetadataLocation: loc.Metadata, DeleteLocation: loc.Delete,
		PreviewContentURL: preview + "?api-version=" + PreviewAPIVersion, PreviewMetadataURL: preview + "/metadata?api-version=" + PreviewAPIVersion}, nil
}
