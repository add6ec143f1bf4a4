package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/messaging"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/eventgrid/azsystemevents"

	"github.com/acsemu/acsemu/client/jobs"
)

// event is one delivered event, whichever its schema.
type event struct {
	ID, Type, Source, Subject string
	Data                      []byte
	CloudEvents               bool
}

// parse reads the events of a delivery: an Event Grid array or event, a
// structured CloudEvent, a CloudEvents batch, or a binary-mode CloudEvent.
func parse(h http.Header, body []byte) ([]event, error) {
	if h.Get("ce-specversion") != "" {
		e := event{ID: h.Get("ce-id"), Type: h.Get("ce-type"), Source: h.Get("ce-source"), Subject: h.Get("ce-subject"), Data: body, CloudEvents: true}
		if e.ID == "" || e.Type == "" || e.Source == "" {
			return nil, errors.New("binary-mode CloudEvent without ce-id, ce-type or ce-source")
		}
		return []event{e}, nil
	}
	body = bytes.TrimSpace(body)
	var raws []json.RawMessage
	switch {
	case len(body) == 0:
		return nil, errors.New("empty body")
	case body[0] == '[':
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, fmt.Errorf("malformed JSON array: %v", err)
		}
	case body[0] == '{':
		raws = []json.RawMessage{body}
	default:
		return nil, errors.New("the body is neither a JSON object nor an array")
	}
	out := make([]event, 0, len(raws))
	for i, raw := range raws {
		e, err := parseOne(raw)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func parseOne(raw json.RawMessage) (event, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil || probe == nil {
		return event{}, fmt.Errorf("not a JSON object")
	}
	if _, ok := probe["specversion"]; ok {
		var ce messaging.CloudEvent
		if err := json.Unmarshal(raw, &ce); err != nil {
			return event{}, fmt.Errorf("malformed CloudEvent: %v", err)
		}
		if ce.SpecVersion != "1.0" {
			return event{}, fmt.Errorf("CloudEvents specversion %q, want 1.0", ce.SpecVersion)
		}
		e := event{ID: ce.ID, Type: ce.Type, Source: ce.Source, CloudEvents: true}
		if ce.Subject != nil {
			e.Subject = *ce.Subject
		}
		if b, ok := ce.Data.([]byte); ok {
			e.Data = b
		}
		return e, nil
	}
	var eg azsystemevents.EventGridEvent
	if err := json.Unmarshal(raw, &eg); err != nil {
		return event{}, fmt.Errorf("malformed Event Grid event: %v", err)
	}
	if eg.ID == nil || eg.EventType == nil || *eg.ID == "" || *eg.EventType == "" {
		return event{}, errors.New("an Event Grid event without id or eventType")
	}
	e := event{ID: *eg.ID, Type: *eg.EventType}
	if eg.Topic != nil {
		e.Source = *eg.Topic
	}
	if eg.Subject != nil {
		e.Subject = *eg.Subject
	}
	if b, ok := eg.Data.([]byte); ok {
		e.Data = b
	}
	return e, nil
}

// validate answers the Event Grid validation event.
func (h *Handler) validate(w http.ResponseWriter, r *http.Request, events []event) {
	for _, e := range events {
		if e.Type != azsystemevents.TypeSubscriptionValidation {
			continue
		}
		var data azsystemevents.SubscriptionValidationEventData
		if err := json.Unmarshal(e.Data, &data); err != nil || data.ValidationCode == nil || *data.ValidationCode == "" {
			h.fail(w, r, http.StatusBadRequest, "validation event without a validationCode")
			return
		}
		h.stats.validations.Add(1)
		h.log.Info("answered the Event Grid validation handshake", "subscription", r.Header.Get("aeg-subscription-name"))
		writeJSON(w, http.StatusOK, azsystemevents.SubscriptionValidationResponse{ValidationResponse: data.ValidationCode})
		return
	}
	h.fail(w, r, http.StatusBadRequest, "aeg-event-type is SubscriptionValidation but no %s event came", azsystemevents.TypeSubscriptionValidation)
}

// notify queues the recording chunks of the events, all or nothing.
func (h *Handler) notify(w http.ResponseWriter, r *http.Request, events []event) {
	var queue []jobs.Job
	refused := 0
	for i, e := range events {
		if e.Type != azsystemevents.TypeACSRecordingFileStatusUpdated {
			h.stats.ignored.Add(1)
			h.log.Debug("ignored an event", "type", e.Type, "id", e.ID)
			continue
		}
		js, err := recordingJobs(e)
		if err != nil {
			h.fail(w, r, http.StatusBadRequest, "event %d (%s): %v", i, e.ID, err)
			return
		}
		for _, j := range js {
			if h.opts.Check != nil {
				if err := h.opts.Check(j); err != nil {
					refused++
					h.log.Error("refused a recording chunk", "eventId", e.ID, "documentId", clip(j.DocumentID), "err", err)
					continue
				}
			}
			queue = append(queue, j)
		}
	}
	h.stats.refused.Add(int64(refused))
	if len(queue) > 0 {
		added, err := h.sink.Add(queue...)
		if err != nil {
			h.stats.failures.Add(1)
			h.log.Error("could not queue recording chunks; Event Grid will retry", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": map[string]string{"code": "InternalError", "message": "could not queue the work"}})
			return
		}
		h.stats.accepted.Add(int64(len(added)))
		h.stats.duplicates.Add(int64(len(queue) - len(added)))
		for _, j := range added {
			h.log.Info("recording chunk queued", "documentId", j.DocumentID, "index", j.Index, "recordingId", j.RecordingID, "eventId", j.EventID)
		}
		if d := len(queue) - len(added); d > 0 {
			h.log.Info("duplicate chunks skipped", "count", d, "deliveryCount", r.Header.Get("aeg-delivery-count"))
		}
	}
	w.WriteHeader(http.StatusOK)
}

// recordingJobs turns a RecordingFileStatusUpdated event into one job per chunk.
func recordingJobs(e event) ([]jobs.Job, error) {
	var data azsystemevents.ACSRecordingFileStatusUpdatedEventData
	if err := json.Unmarshal(e.Data, &data); err != nil {
		return nil, fmt.Errorf("malformed RecordingFileStatusUpdated data: %v", err)
	}
	if data.RecordingStorageInfo == nil {
		return nil, errors.New("RecordingFileStatusUpdated without recordingStorageInfo")
	}
	format := ""
	if data.RecordingFormatType != nil {
		format = strings.ToLower(string(*data.RecordingFormatType))
	}
	recID := ""
	if _, after, ok := strings.Cut(e.Subject, "/recordingId/"); ok {
		recID, _, _ = strings.Cut(after, "/")
	}
	var out []jobs.Job
	for _, c := range data.RecordingStorageInfo.RecordingChunks {
		j := jobs.Job{DocumentID: deref(c.DocumentID), Format: format, RecordingID: recID, EventID: e.ID,
			ContentLocation: deref(c.ContentLocation), MetadataLocation: deref(c.MetadataLocation), DeleteLocation: deref(c.DeleteLocation)}
		if c.Index != nil {
			j.Index = int(*c.Index)
		}
		out = append(out, j)
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
