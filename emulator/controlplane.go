package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/acsemu/acsemu/emulator/calling"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/dashboard"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
	"github.com/acsemu/acsemu/emulator/wire"
)

// controlReadTimeout bounds how long reading a control-plane request body
// (at most an uploaded document) may take.
const controlReadTimeout = 5 * time.Minute

// maxControlBody bounds JSON bodies sent to the control plane.
const maxControlBody = 1 << 20

// serveControl answers /_emulator/: health, config, reset, recordings,
// documents, requests and the CA certificate. Handlers return a value or an
// error; writeControl turns either into the wire.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	start, began := s.clock.Now(), time.Now() // the entry is dated by the emulator clock, timed by the wall clock
	sw := &statusWriter{ResponseWriter: w}
	entry := journal.Entry{Time: start, Plane: journal.PlaneControl, Target: journal.TargetControl,
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, RemoteAddr: r.RemoteAddr}
	defer func() {
		entry.Status, entry.BytesSent, entry.Duration = sw.code(), sw.bytes, time.Since(began)
		// Reading the journal is not itself journaled: polling would drown the
		// entries it looks for; nor is the dashboard, which reads it live.
		if !strings.HasPrefix(r.URL.Path, control.Prefix+"requests") && !strings.HasPrefix(r.URL.Path, dashboard.Prefix) {
			s.journal.Add(entry)
		}
	}()
	_ = http.NewResponseController(sw).SetReadDeadline(time.Now().Add(controlReadTimeout))
	path := strings.TrimPrefix(r.URL.Path, control.Prefix)
	if path == "ui" || strings.HasPrefix(path, "ui/") {
		s.ui.ServeHTTP(sw, r) // the live dashboard (package dashboard)
		return
	}
	if isEventGridPath(path) {
		s.events.Handler().ServeHTTP(sw, r)
		return
	}
	status, v, err := s.routeControl(sw, r, path)
	if err != nil {
		entry.Error = err.Error()
		wire.Write(sw, wire.ShapeControl, err, "")
		return
	}
	switch body := v.(type) {
	case nil:
		sw.WriteHeader(status)
	case []byte:
		sw.WriteHeader(status)
		_, _ = sw.Write(body)
	default:
		sw.Header().Set("Content-Type", "application/json; charset=utf-8")
		sw.WriteHeader(status)
		enc := json.NewEncoder(sw)
		enc.SetIndent("", "  ")
		_ = enc.Encode(body)
	}
}

// isEventGridPath reports whether the Event Grid engine serves this control path.
func isEventGridPath(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	switch first {
	case "subscriptions", "events", "deliveries", "deadletters":
		return true
	}
	return false
}

func controlErr(status int, code, format string, args ...any) *wire.Error {
	return &wire.Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func methodErr(r *http.Request, allowed ...string) *wire.Error {
	return controlErr(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here; use %s", r.Method, strings.Join(allowed, " or "))
}

func (s *Server) routeControl(w http.ResponseWriter, r *http.Request, path string) (int, any, error) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	is := func(method string) bool { return r.Method == method }
	switch {
	case path == "health":
		return http.StatusOK, control.Health{Status: "ok"}, nil
	case path == "config" && is(http.MethodGet):
		return http.StatusOK, s.config(), nil
	case path == "reset" && is(http.MethodPost):
		s.store.Reset()
		s.events.Reset()
		s.calling.Reset()
		s.faults.Reset()
		s.tokens.ClearFaults()
		s.journal.Reset()
		return http.StatusNoContent, nil, nil
	case path == "recordings":
		switch r.Method {
		case http.MethodPost:
			return s.createRecording(r)
		case http.MethodGet:
			out := []control.Recording{}
			for _, rec := range s.store.Recordings() {
				view, err := s.recordingView(rec)
				if err != nil {
					return 0, nil, err
				}
				out = append(out, view)
			}
			return http.StatusOK, out, nil
		}
		return 0, nil, methodErr(r, "GET", "POST")
	case len(parts) == 2 && parts[0] == "recordings" && is(http.MethodGet):
		rec, ok := s.store.Recording(parts[1])
		if !ok {
			return 0, nil, controlErr(http.StatusNotFound, "NotFound", "no recording %q", parts[1])
		}
		view, err := s.recordingView(rec)
		return http.StatusOK, view, err
	case path == "documents" && is(http.MethodGet):
		out := []control.Document{}
		for _, d := range s.store.Documents() {
			view, err := s.documentView(d)
			if err != nil {
				return 0, nil, err
			}
			out = append(out, view)
		}
		return http.StatusOK, out, nil
	case len(parts) == 2 && parts[0] == "documents":
		switch r.Method {
		case http.MethodGet:
			d, ok := s.store.Document(parts[1])
			if !ok {
				return 0, nil, controlErr(http.StatusNotFound, "NotFound", "no document %q", parts[1])
			}
			view, err := s.documentView(d)
			return http.StatusOK, view, err
		case http.MethodPut:
			return s.uploadDocument(r, parts[1])
		}
		return 0, nil, methodErr(r, "GET", "PUT")
	case (path == "requests" || path == "requests/count") && is(http.MethodGet):
		f, err := control.ParseRequestFilter(r.URL.Query())
		if err != nil {
			var ae *control.APIError
			errors.As(err, &ae)
			return 0, nil, controlErr(ae.StatusCode, ae.Code, "%s", ae.Message)
		}
		if path == "requests/count" {
			return http.StatusOK, control.Count{Count: s.journal.Count(f)}, nil
		}
		return http.StatusOK, s.journal.Query(f), nil
	case strings.HasPrefix(path, "tokens/"):
		return s.serveTokenControl(r, path)
	case strings.HasPrefix(path, "faults"):
		return s.faults.ServeControl(r, path)
	case path == calling.SettingsPath:
		return s.calling.ServeSettings(r)
	case calling.IsControlPath(path):
		return s.calling.ServeControl(r, path)
	case path == "ca.pem" && is(http.MethodGet):
		if s.ca == nil {
			return 0, nil, controlErr(http.StatusNotFound, "NotFound", "the emulator runs without TLS; start it with --tls to get a CA")
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		return http.StatusOK, s.ca.CAPEM, nil
	}
	return 0, nil, controlErr(http.StatusNotFound, "NotFound", "no control-plane route for %s %s", r.Method, r.URL.Path)
}

func (s *Server) config() control.Config {
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
	return control.Config{URL: s.url, ConnectionString: conn, CustomAccessKey: custom, StorageBaseURL: s.StorageBaseURL(),
		MaxClockSkew: skew, StrictAuth: s.opts.StrictAuth, Seed: s.opts.Seed, TLS: s.ca != nil, EventTimeScale: s.opts.EventTimeScale}
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return controlErr(http.StatusBadRequest, "BadRequest", "invalid JSON body: %v", err)
	}
	return nil
}

func (s *Server) createRecording(r *http.Request) (int, any, error) {
	var in control.RecordingSpec
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	if in.ParticipantCount < 0 || in.ParticipantCount > recordings.MaxParticipants {
		return 0, nil, controlErr(http.StatusBadRequest, "BadRequest", "participantCount: must be between 0 and %d", recordings.MaxParticipants)
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
		return 0, nil, err
	}
	if !in.NoEvent {
		if err := s.publishRecording(r.Context(), rec); err != nil {
			return 0, nil, err
		}
	}
	view, err := s.recordingView(rec)
	return http.StatusCreated, view, err
}

func (s *Server) uploadDocument(r *http.Request, id string) (int, any, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, s.store.MaxUpload()+1))
	if err != nil {
		return 0, nil, controlErr(http.StatusBadRequest, "BadRequest", "could not read the upload: %v", err)
	}
	q := r.URL.Query()
	d, err := s.store.Upload(id, data, q.Get("contentType"), q.Get("kind"))
	if err != nil {
		return 0, nil, err
	}
	view, err := s.documentView(d)
	return http.StatusOK, view, err
}

func (s *Server) recordingView(rec *recordings.Recording) (control.Recording, error) {
	v := control.Recording{ID: rec.ID, CallID: rec.CallID, ServerCallID: rec.ServerCallID, Subject: rec.Subject(),
		StartTime: rec.StartTime, DurationMs: rec.Duration.Milliseconds(), Format: rec.Spec.Format,
		ContentType: rec.Spec.ContentType, ChannelType: rec.Spec.ChannelType, Participants: rec.Spec.Participants,
		Seed: rec.Spec.Seed, Documents: []control.Document{}}
	for _, d := range rec.Documents {
		dv, err := s.documentView(d)
		if err != nil {
			return v, err
		}
		v.Documents = append(v.Documents, dv)
	}
	return v, nil
}

func (s *Server) documentView(d *recordings.Document) (control.Document, error) {
	media, meta := d.Media(), d.Metadata()
	mediaHash, err := media.SHA256()
	if err != nil {
		return control.Document{}, err
	}
	metaHash, err := meta.SHA256()
	if err != nil {
		return control.Document{}, err
	}
	loc := recordings.LocationsOf(d, s.StorageBaseURL())
	preview := s.url + "/recording/download/" + d.ID
	return control.Document{ID: d.ID, RecordingID: d.RecordingID, Index: d.Index, EndReason: d.EndReason,
		MediaKind: d.MediaKind, StartTime: d.StartTime, DurationMs: d.Duration.Milliseconds(), Size: media.Size(),
		SHA256: mediaHash, MIMEType: media.MIMEType, ETag: media.ETag, MetadataSize: meta.Size(), MetadataSHA256: metaHash,
		ContentLocation: loc.Content, MetadataLocation: loc.Metadata, DeleteLocation: loc.Delete,
		PreviewContentURL: preview + "?api-version=" + PreviewAPIVersion, PreviewMetadataURL: preview + "/metadata?api-version=" + PreviewAPIVersion}, nil
}
