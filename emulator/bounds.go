package emulator

import "github.com/acsemu/acsemu/emulator/control"

// withBounds adds to c the bounds of what the emulator holds, so a user can
// see them (GET /_emulator/config) instead of guessing defaults.
func (s *Server) withBounds(c control.Config) control.Config {
	l := s.journal.Limits()
	c.JournalMaxEntries, c.JournalMaxBytes, c.JournalMaxHeaderBytes = l.Entries, l.Bytes, l.HeaderBytes
	c.WriteIdleTimeout = "disabled"
	if s.opts.WriteIdleTimeout > 0 {
		c.WriteIdleTimeout = s.opts.WriteIdleTimeout.String()
	}
	return c
}
