package emulator

import (
	"github.com/acsemu/acsemu/emulator/dashboard"
	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/faults"
)

// newDashboard wires the live UI (/_emulator/ui/) to the emulator's parts.
func (s *Server) newDashboard() *dashboard.Dashboard {
	return dashboard.New(dashboard.Sources{
		Journal:        s.journal,
		Documents:      s.dashboardDocuments,
		Now:            s.clock.Now,
		Subscriptions:  s.events.Subscriptions,
		Attempts:       s.events.AttemptsAfter,
		AttemptRequest: s.events.AttemptRequest,
		DeadLetters:    func() []eventgrid.DeadLetter { return s.events.DeadLetters("") },
		FaultRules:     s.faults.Rules,
		FaultsFired:    func() []faults.Fired { return s.faults.Fired(0) },
		CallRecordings: s.calling.Recordings,
		Clock:          s.calling.ClockState,
		Changed:        []func() <-chan struct{}{s.events.Changed},
	}, dashboard.Options{})
}

func (s *Server) dashboardDocuments() []dashboard.Document {
	docs := s.store.Documents()
	out := make([]dashboard.Document, 0, len(docs))
	for _, d := range docs {
		media := d.Media()
		hash, _, _ := s.hasher.Peek(media) // never hash here: a refresh must stay cheap
		out = append(out, dashboard.Document{ID: d.ID, RecordingID: d.RecordingID, Index: d.Index, MediaKind: d.MediaKind,
			Size: media.Size(), SHA256: hash})
	}
	return out
}
