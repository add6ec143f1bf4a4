package media

import (
	"encoding/binary"
	"errors"
	"io"
	"time"
)

// file is the one File implementation: head | body of repeated units | tail.
// Everything is computed by New; ReadAt only copies and rewrites patch fields.
type file struct {
	size    int64
	head    []byte
	unit    []byte // template of one body unit
	bodyLen int64  // body bytes; the last unit may be cut short (not a multiple of len(unit))
	patches []patch
	tail    []byte

	mime  string
	dur   time.Duration
	audio AudioConfig
	video *VideoConfig
}

// maxPatch bounds a patch so it can be rendered in a stack buffer: ReadAt must
// not allocate.
const maxPatch = 64

type patchKind uint8

const (
	// patchBE writes v as an n-byte big-endian integer (MP4 header fields).
	patchBE patchKind = iota
	// patchLSB16 keeps the template's 16-bit little-endian samples and puts bit
	// i of v in the least significant bit of sample i: inaudible, yet it makes
	// every WAV unit distinct.
	patchLSB16
	// patch7Bit writes v in base 128, most significant digit first, one digit
	// per byte: never 0xFF, so MP3 ancillary data cannot fake a frame sync.
	patch7Bit
)

// patch rewrites n bytes at off in every unit with a value derived from the
// unit's index k: v = add + k*mul.
type patch struct {
	off      int64
	n        int
	kind     patchKind
	add, mul uint64
}

func (p *patch) render(buf *[maxPatch]byte, k int64, unit []byte) {
	v := p.add + uint64(k)*p.mul
	b := buf[:p.n]
	switch p.kind {
	case patchBE:
		for i := p.n - 1; i >= 0; i-- {
			b[i] = byte(v)
			v >>= 8
		}
	case patchLSB16:
		copy(b, unit[p.off:])
		for i := 0; i+1 < p.n; i += 2 {
			b[i] = b[i]&^1 | byte(v>>(i/2)&1)
		}
	case patch7Bit:
		for i := p.n - 1; i >= 0; i-- {
			b[i] = byte(v & 0x7F)
			v >>= 7
		}
	}
}

var errNegativeOffset = errors.New("media: negative offset")

func (f *file) Size() int64               { return f.size }
func (f *file) MIMEType() string          { return f.mime }
func (f *file) Duration() time.Duration   { return f.dur }
func (f *file) Audio() AudioConfig        { return f.audio }
func (f *file) VideoConfig() *VideoConfig { return cloneVideo(f.video) }

func cloneVideo(v *VideoConfig) *VideoConfig {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

// ReadAt implements io.ReaderAt in O(1) per call plus O(len(p)) copying.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := len(p)
	if rem := f.size - off; int64(len(p)) > rem {
		p = p[:rem]
	}
	n := 0
	headLen := int64(len(f.head))
	if off < headLen {
		n = copy(p, f.head[off:])
	}
	if n < len(p) {
		pos := off + int64(n) - headLen
		if pos < f.bodyLen {
			m := int(min(int64(len(p)-n), f.bodyLen-pos))
			f.readBody(p[n:n+m], pos)
			n += m
		}
	}
	if n < len(p) {
		n += copy(p[n:], f.tail[off+int64(n)-headLen-f.bodyLen:])
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// readBody fills dst with the body bytes at pos: bulk copies from the unit
// template, then the few patched fields of the units it spans.
func (f *file) readBody(dst []byte, pos int64) {
	u := int64(len(f.unit))
	for i := 0; i < len(dst); {
		i += copy(dst[i:], f.unit[(pos+int64(i))%u:])
	}
	if len(f.patches) == 0 {
		return
	}
	end := pos + int64(len(dst))
	var buf [maxPatch]byte
	for k := pos / u; k*u < end; k++ {
		for j := range f.patches {
			pt := &f.patches[j]
			start := k*u + pt.off
			stop := start + int64(pt.n)
			if start >= end || stop <= pos {
				continue
			}
			pt.render(&buf, k, f.unit)
			lo, hi := max(start, pos), min(stop, end)
			copy(dst[lo-pos:hi-pos], buf[lo-start:hi-start])
		}
	}
}

// Helpers for building templates at New time.

func be16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }
func be32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
func be64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }
