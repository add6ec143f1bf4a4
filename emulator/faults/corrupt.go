package faults

import (
	"io"

	"github.com/acsemu/acsemu/emulator/httprange"
)

func init() { register("corrupt", func() Action { return &Corrupt{} }) }

// MaxCorrupt bounds Corrupt.Length.
const MaxCorrupt = 1 << 20

// Corrupt flips (XOR 0xFF) Length bytes of the representation from Offset
// (an offset in the whole file, whatever range is asked), keeping its size
// and ETag: only a client that checks the content notices.
type Corrupt struct {
	Offset int64 `json:"offset"`
	// Length defaults to 1.
	Length int64 `json:"length,omitempty"`
}

func (*Corrupt) Kind() string          { return "corrupt" }
func (*Corrupt) targets() []string     { return downloadTargets }
func (c *Corrupt) fire(*firing) effect { return c }

func (c *Corrupt) Validate() error {
	switch {
	case c.Offset < 0:
		return fieldErr("offset", "must not be negative")
	case c.Length < 0 || c.Length > MaxCorrupt:
		return fieldErr("length", "%d: use 1 to %d (0 means 1)", c.Length, MaxCorrupt)
	}
	return nil
}

func (c *Corrupt) object(call *Call, obj *httprange.Object, _ *httprange.Options) {
	n := max(c.Length, 1)
	if c.Offset >= obj.Size {
		call.note("offset %d is beyond the representation (%d bytes): nothing corrupted", c.Offset, obj.Size)
		return
	}
	end := min(c.Offset+n, obj.Size)
	obj.Content = &flipped{base: obj.Content, start: c.Offset, end: end}
	call.note("flipped bytes %d-%d of %d (XOR 0xFF)", c.Offset, end-1, obj.Size)
}

// flipped reads base with the bytes in [start, end) inverted.
type flipped struct {
	base       io.ReaderAt
	start, end int64
}

func (f *flipped) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.base.ReadAt(p, off)
	for i := max(f.start, off); i < min(f.end, off+int64(n)); i++ {
		p[i-off] ^= 0xFF
	}
	return n, err
}
