// Package recordings holds the emulator's recordings and their documents: a
// recording is split into chunks under a size limit, each chunk a document with
// synthetic (or uploaded) media and an acsmetadata JSON in the real shape.
package recordings

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/acsemu/acsemu/clock"
	"github.com/acsemu/acsemu/emulator/media"
	"github.com/acsemu/acsemu/emulator/wire"
)

// Chunk end reasons.
const (
	EndChunkMaximumSizeExceeded = "ChunkMaximumSizeExceeded"
	EndSessionEnded             = "SessionEnded"
)

// Recording is a finished recording and its chunks.
type Recording struct {
	ID           string
	CallID       string
	ServerCallID string
	Spec         Spec
	StartTime    time.Time
	// Duration is the active recorded time as encoded (sum of chunk durations).
	Duration  time.Duration
	Documents []*Document
}

// Document is one chunk: media, metadata and where it sits in its recording.
type Document struct {
	ID          string
	RecordingID string
	Index       int
	EndReason   string
	// MediaKind is "audio", "video" or (unmixed) "audiowavmultichannel", the
	// last segment of contentLocation.
	MediaKind string
	StartTime time.Time
	Duration  time.Duration

	mu       sync.RWMutex
	media    *Content
	metadata *Content
	version  int
}

// Media returns the current media content.
func (d *Document) Media() *Content {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.media
}

// Metadata returns the metadata content.
func (d *Document) Metadata() *Content {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.metadata
}

// Store keeps recordings and documents in memory.
type Store struct {
	clock      clock.Clock
	ids        *IDs
	resourceID string
	maxUpload  int64

	mu         sync.RWMutex
	limits     Limits
	usage      Usage
	recordings map[string]*Recording
	order      []string
	documents  map[string]*Document
}

// NewStore returns an empty store. resourceID names the emulated ACS resource in metadata.
func NewStore(clk clock.Clock, seed int64, resourceID string, maxUpload int64) *Store {
	return &Store{clock: clk, ids: NewIDs(seed), resourceID: resourceID, maxUpload: maxUpload,
		recordings: map[string]*Recording{}, documents: map[string]*Document{}, limits: Limits{}.withDefaults()}
}

// MaxUpload is the largest document a user may upload.
func (s *Store) MaxUpload() int64 { return s.maxUpload }

// Reset forgets every recording and document.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recordings, s.documents, s.order = map[string]*Recording{}, map[string]*Document{}, nil
	s.usage = Usage{}
}

func (s *Store) mediaSpec(spec *Spec) media.Spec {
	channels := 1
	if spec.ChannelType == ChannelUnmixed {
		channels = len(spec.Participants)
	}
	return media.Spec{Format: media.Format(spec.Format), Video: spec.ContentType == ContentAudioVideo,
		Channels: channels, Seed: spec.Seed}
}

// Create makes a recording from spec, chunked under spec.ChunkSizeLimit.
func (s *Store) Create(spec Spec) (*Recording, error) {
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	if spec.Seed == 0 {
		spec.Seed = s.ids.Int64()
	}
	if len(spec.Participants) == 0 {
		spec.Participants = []string{s.NewParticipantID(), s.NewParticipantID()}
	}
	if spec.CallID == "" {
		spec.CallID = s.ids.UUID()
	}
	if spec.ServerCallID == "" {
		spec.ServerCallID = s.ids.ServerCallID()
	}
	if spec.StartTime.IsZero() {
		spec.StartTime = s.clock.Now().Add(-spec.wallDuration())
	}
	spec.StartTime = spec.StartTime.UTC()
	ms := s.mediaSpec(&spec)
	perChunk, err := media.MaxDuration(ms, spec.ChunkSizeLimit)
	if err != nil {
		return nil, badField("chunkSizeLimit", "%v", err)
	}
	if n := (spec.Duration + perChunk - 1) / perChunk; n > MaxChunks {
		return nil, badField("chunkSizeLimit", "%d bytes would split the recording into %d chunks, more than %d", spec.ChunkSizeLimit, n, MaxChunks)
	}
	id := spec.RecordingID
	if id == "" {
		id = s.ids.RecordingID()
	}
	rec := &Recording{ID: id, CallID: spec.CallID, ServerCallID: spec.ServerCallID, Spec: spec, StartTime: spec.StartTime}
	for offset, index := time.Duration(0), 0; offset < spec.Duration; index++ {
		cs := ms
		cs.Duration = min(perChunk, spec.Duration-offset)
		cs.Seed = spec.Seed + int64(index)
		f, err := media.New(cs)
		if err != nil {
			return nil, badField("duration", "%v", err)
		}
		if f.Duration() <= 0 {
			break // the remainder is shorter than one frame
		}
		doc, err := s.newDocument(rec, index, offset, f)
		if err != nil {
			return nil, err
		}
		rec.Documents = append(rec.Documents, doc)
		rec.Duration += f.Duration()
		offset += cs.Duration
	}
	if len(rec.Documents) == 0 {
		return nil, badField("duration", "%s is shorter than one media frame", spec.Duration)
	}
	last := rec.Documents[len(rec.Documents)-1]
	last.EndReason = EndSessionEnded
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.recordings[rec.ID]; dup {
		return nil, &wire.Error{Status: http.StatusConflict, Code: "Conflict", Target: "recordingId", Message: "recordingId: a recording " + rec.ID + " already exists"}
	}
	var stored int64
	for _, d := range rec.Documents {
		b, _ := mediaBytes(d)
		stored += b
	}
	if err := s.admitLocked(1, stored, 0); err != nil {
		return nil, err
	}
	s.usage.Recordings++
	s.usage.StoredBytes += stored
	s.recordings[rec.ID] = rec
	s.order = append(s.order, rec.ID)
	for _, d := range rec.Documents {
		s.documents[d.ID] = d
	}
	return rec, nil
}

// NewParticipantID returns a participant id in the real format,
// 8:acs:{resource GUID}_{GUID}, from the seeded source.
func (s *Store) NewParticipantID() string {
	return "8:acs:" + s.resourceID + "_" + s.ids.UUID()
}

func (s *Store) newDocument(rec *Recording, index int, offset time.Duration, f media.File) (*Document, error) {
	spec := &rec.Spec
	doc := &Document{ID: s.ids.DocumentID(), RecordingID: rec.ID, Index: index, EndReason: EndChunkMaximumSizeExceeded,
		MediaKind: "audio", StartTime: spec.StartTime.Add(offset + spec.pausedBefore(offset)), Duration: f.Duration()}
	switch {
	case spec.ContentType == ContentAudioVideo:
		doc.MediaKind = KindVideo
	case spec.ChannelType == ChannelUnmixed:
		doc.MediaKind = KindAudioMultichannel
	}
	md := Metadata{ResourceID: s.resourceID, CallID: rec.CallID, ChunkDocumentID: doc.ID, ChunkIndex: index,
		ChunkStartTime: doc.StartTime, ChunkDuration: ms(f.Duration()), PauseResumeIntervals: []PauseInterval{},
		RecordingInfo: recordingInfo(spec, f)}
	end := offset + f.Duration()
	for _, p := range spec.Pauses {
		// A pause belongs to the chunk whose active span contains its start; a pause at
		// the very end of the recording belongs to the last chunk.
		if p.At >= offset && (p.At < end || (p.At == spec.Duration && end >= spec.Duration)) {
			md.PauseResumeIntervals = append(md.PauseResumeIntervals, PauseInterval{
				StartTime: spec.StartTime.Add(p.At + spec.pausedBefore(p.At)), Duration: ms(p.Duration)})
		}
	}
	for i, id := range spec.Participants {
		p := Participant{ParticipantID: id}
		if spec.ChannelType == ChannelUnmixed {
			ch := i
			p.Channel = &ch
		}
		md.Participants = append(md.Participants, p)
	}
	raw, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	modified := spec.StartTime.Add(spec.wallDuration())
	doc.media = newContent(f, f.MIMEType(), fmt.Sprintf("%s/media/%d/%d", doc.ID, spec.Seed, doc.version), modified)
	doc.metadata = bytesContent(raw, "application/json", doc.ID+"/metadata", modified)
	return doc, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Recording returns the recording with id.
func (s *Store) Recording(id string) (*Recording, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.recordings[id]
	return r, ok
}

// Recordings lists recordings in creation order.
func (s *Store) Recordings() []*Recording {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Recording, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.recordings[id])
	}
	return out
}

// Document returns a live (not deleted) document.
func (s *Store) Document(id string) (*Document, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.documents[id]
	return d, ok
}

// Documents lists live documents sorted by id.
func (s *Store) Documents() []*Document {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Document, 0, len(s.documents))
	for _, d := range s.documents {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Delete removes a document; it answers false when there was none.
func (s *Store) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.documents[id]
	if ok {
		stored, uploaded := mediaBytes(d)
		s.usage.StoredBytes -= stored
		s.usage.UploadedBytes -= uploaded
	}
	delete(s.documents, id)
	return ok
}

// ValidDocumentID reports whether id can name a document: 1-128 characters of
// letters, digits and "-_.", so an id can never climb out of a folder or a URL path.
func ValidDocumentID(id string) bool {
	if id == "" || len(id) > 128 || id == "." || id == ".." {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) < 0
}

// Upload replaces a document's media with the given bytes, or creates a
// standalone document with them (for replaying a real file).
func (s *Store) Upload(id string, data []byte, mime, kind string) (*Document, error) {
	if !ValidDocumentID(id) {
		return nil, badField("documentId", "%q must be 1-128 letters, digits, '-', '_' or '.'", id)
	}
	if int64(len(data)) > s.maxUpload {
		return nil, &wire.Error{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge", Message: fmt.Sprintf("uploads are limited to %d bytes", s.maxUpload)}
	}
	if kind == "" {
		kind = "audio"
	}
	if !IsMediaKind(kind) {
		return nil, badField("kind", "%q is not one of audio, video, audiowavmultichannel", kind)
	}
	if mime == "" {
		mime = http.DetectContentType(data)
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.documents[id]
	var oldStored, oldUploaded int64
	if ok {
		oldStored, oldUploaded = mediaBytes(d)
	}
	size := int64(len(data))
	if err := s.admitLocked(0, size-oldStored, size-oldUploaded); err != nil {
		return nil, err
	}
	s.usage.StoredBytes += size - oldStored
	s.usage.UploadedBytes += size - oldUploaded
	if !ok {
		d = &Document{ID: id, EndReason: EndSessionEnded, MediaKind: kind, StartTime: now.UTC()}
		d.metadata = bytesContent([]byte("{}"), "application/json", id+"/metadata", now)
		s.documents[id] = d
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.version++
	d.media = bytesContent(data, mime, fmt.Sprintf("%s/upload/%d", id, d.version), now)
	d.media.uploaded = true
	return d, nil
}
