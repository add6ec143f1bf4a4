package emulator

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/acsemu/acsemu/emulator/eventgrid"
	"github.com/acsemu/acsemu/emulator/recordings"
)

// publishRecording publishes RecordingFileStatusUpdated for rec to every
// subscription whose filters let it through; delivery happens in the engine's
// queues (Drain waits for it).
func (s *Server) publishRecording(ctx context.Context, rec *recordings.Recording) error {
	data, err := json.Marshal(rec.EventData(s.StorageBaseURL()))
	if err != nil {
		return fmt.Errorf("encode event data: %w", err)
	}
	// eventTime is on the recording clock, like callback and metadata times,
	// also after the clock was advanced through the control plane.
	return s.events.Publish(ctx, eventgrid.Event{Subject: rec.Subject(), EventType: recordings.EventType,
		DataVersion: "1.0", Data: data, EventTime: s.calling.Now()})
}
