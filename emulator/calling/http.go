package calling

import (
	"fmt"
	"github.com/acsemu/acsemu/emulator/api"
	"net/http"
	"net/url"
	"strings"

	"github.com/acsemu/acsemu/emulator/wire"
)

// Handles reports whether path belongs to the recording API (so the data plane routes it here).
func Handles(path string) bool {
	return path == api.CallRecordingPath || strings.HasPrefix(path, api.CallRecordingPath+"/")
}

// route is what a request path addresses.
type route struct {
	id     string // "" for the collection
	action string // "", "pause" or "resume"
	result bool   // GET {id}/result (preview)
}

func parseRoute(r *http.Request) (route, bool) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), api.CallRecordingPath)
	if !ok {
		return route{}, false
	}
	if rest == "" || rest == "/" {
		return route{}, true
	}
	rest = strings.TrimPrefix(rest, "/")
	escID, result := strings.CutSuffix(rest, "/result")
	seg, err := url.PathUnescape(escID)
	if err != nil || seg == "" || strings.Contains(escID, "/") {
		return route{}, false
	}
	rt := route{id: seg, result: result}
	if result {
		return rt, !strings.Contains(seg, ":")
	}
	for _, a := range []string{"pause", "resume"} {
		if id, ok := strings.CutSuffix(seg, ":"+a); ok {
			rt.id, rt.action = id, a
		}
	}
	return rt, rt.id != "" && !strings.Contains(rt.id, ":")
}

func methodNotAllowed(w http.ResponseWriter, allow string) *wire.Error {
	w.Header().Set("Allow", allow)
	return wire.ErrMethodNotAllowed
}

// Serve answers one recording API request whose signature the caller has
// already verified and whose body it has read (bounded). It writes successes
// itself and returns errors for the caller to write in the ACS shape.
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, body []byte) *wire.Error {
	rt, ok := parseRoute(r)
	if !ok {
		return &wire.Error{Status: http.StatusNotFound, Code: "NotFound", Message: "The requested resource was not found.",
			Explanation: "recording API paths are /calling/recordings, /calling/recordings/{id}, /calling/recordings/{id}:pause|:resume and /calling/recordings/{id}/result"}
	}
	if err := checkAPIVersion(r, rt.result); err != nil {
		return err
	}
	version := r.URL.Query().Get("api-version")
	switch {
	case rt.result && r.Method != http.MethodGet:
		return methodNotAllowed(w, "GET")
	case rt.result:
		return s.serveResult(w, rt.id)
	case rt.id == "" && r.Method != http.MethodPost:
		return methodNotAllowed(w, "POST")
	case rt.id == "":
		return s.serveStart(w, r, body)
	case rt.action != "" && r.Method != http.MethodPost:
		return methodNotAllowed(w, "POST")
	case rt.action == "" && r.Method != http.MethodGet && r.Method != http.MethodDelete:
		return methodNotAllowed(w, "GET, DELETE")
	}
	now := s.clk.Now()
	s.mu.Lock()
	sess, err := s.lookupLocked(rt.id, now)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	switch {
	case rt.action == "pause":
		err = s.pauseLocked(sess, now)
	case rt.action == "resume":
		err = s.resumeLocked(sess, now)
	case r.Method == http.MethodGet:
		resp := sess.response(version)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, resp)
		return nil
	default:
		s.stopLocked(sess, now)
		s.mu.Unlock()
		s.schedule(sess)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *Service) serveStart(w http.ResponseWriter, r *http.Request, body []byte) *wire.Error {
	if len(body) > maxBody {
		return &wire.Error{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge",
			Message: "The request body is too large.", Explanation: fmt.Sprintf("start bodies are limited to %d bytes", maxBody)}
	}
	key, repeatable, err := repeatability(r.Header, body)
	if err != nil {
		return err
	}
	p, err := parseStart(body)
	if err != nil {
		return err
	}
	now := s.clk.Now()
	s.mu.Lock()
	if repeatable {
		if e, ok := s.repeat.get(key.id); ok {
			resp, err := e.replay(key)
			s.mu.Unlock()
			if err != nil {
				return err
			}
			w.Header().Set(api.HeaderRepeatabilityResult, "accepted")
			writeJSON(w, http.StatusOK, resp)
			return nil
		}
	}
	_, resp := s.startLocked(p, r.URL.Query().Get("api-version"), now)
	if repeatable {
		s.repeat.put(&repeatEntry{key: key, resp: resp})
		w.Header().Set(api.HeaderRepeatabilityResult, "accepted")
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) { wire.WriteJSON(w, status, v, false) }
