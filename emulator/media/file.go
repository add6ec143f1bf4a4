package media

import (
	"bytes"
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
	unitLen int64
	spans   []span // the unit template, in order, covering [0, unitLen)
	bodyLen int64  // body bytes; the last unit may be cut short
	patches []patch
	tail    []byte

	mime  string
	dur   time.Duration
	audio AudioConfig
	video *VideoConfig
}

// A span is a piece of the unit template. Long runs of one byte value (the
// filler that gives MP4 video its bitrate) are not stored but point into a
// small shared buffer of that value: ReadAt's speed depends on its sources
// staying in the CPU's L1 cache, and a 70 KB fragment copies ~15% slower than
// 10 KB of literals plus 8 KB of filler.
type span struct {
	off int64  // start in the unit
	src []byte // its bytes
}

const (
	minRun   = 1 << 10 // shorter runs stay literal: a span costs a memmove call
	runChunk = 8 << 10 // longest run span; runs are cut into chunks this long
)

// setUnit turns the unit template into spans and gives the LSB patches their
// template bytes.
func (f *file) setUnit(unit []byte) {
	f.unitLen = int64(len(unit))
	type piece struct {
		start, end int
		run        bool
	}
	var pieces []piece
	litLen, litStart := 0, 0
	literal := func(end int) {
		if end > litStart {
			pieces = append(pieces, piece{litStart, end, false})
			litLen += end - litStart
		}
	}
	for i := 0; i < len(unit); {
		j := i + 1
		for j < len(unit) && unit[j] == unit[i] {
			j++
		}
		if j-i >= minRun {
			literal(i)
			pieces = append(pieces, piece{i, j, true})
			litStart = j
		}
		i = j
	}
	literal(len(unit))

	lit := make([]byte, 0, litLen) // never reallocated: spans point into it
	runs := map[byte][]byte{}
	for _, p := range pieces {
		if !p.run {
			start := len(lit)
			lit = append(lit, unit[p.start:p.end]...)
			f.spans = append(f.spans, span{off: int64(p.start), src: lit[start:]})
			continue
		}
		buf, ok := runs[unit[p.start]]
		if !ok {
			buf = bytes.Repeat(unit[p.start:p.start+1], runChunk)
			runs[unit[p.start]] = buf
		}
		for k := p.start; k < p.end; k += runChunk {
			f.spans = append(f.spans, span{off: int64(k), src: buf[:min(runChunk, p.end-k)]})
		}
	}
	for i := range f.patches {
		if p := &f.patches[i]; p.kind == patchLSB16 {
			p.base = bytes.Clone(unit[p.off : p.off+int64(p.n)])
		}
	}
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
	// every WAV unit distinct. n is a multiple of 8.
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
	base     []byte // patchLSB16: the template's bytes (set by setUnit)
}

func (p *patch) render(buf *[maxPatch]byte, k int64) {
	v := p.add + uint64(k)*p.mul
	b := buf[:p.n]
	switch p.kind {
	case patchBE:
		for i := p.n - 1; i >= 0; i-- {
			b[i] = byte(v)
			v >>= 8
		}
	case patchLSB16:
		// Four samples per 64-bit word: their LSBs are bits 0, 16, 32, 48.
		for w := 0; w+8 <= p.n; w += 8 {
			x := binary.LittleEndian.Uint64(p.base[w:])
			x = x&^0x0001000100010001 | lsbSpread[v>>(w/2)&0xF]
			binary.LittleEndian.PutUint64(b[w:], x)
		}
	case patch7Bit:
		for i := p.n - 1; i >= 0; i-- {
			b[i] = byte(v & 0x7F)
			v >>= 7
		}
	}
}

// lsbSpread[n] puts the four bits of n in the LSBs of four 16-bit samples.
var lsbSpread = func() (t [16]uint64) {
	for n := range t {
		for i := range 4 {
			t[n] |= uint64(n>>i&1) << (16 * i)
		}
	}
	return t
}()

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

// readBody fills dst with the body bytes at pos: bulk copies from the unit's
// spans, then the few patched fields of the units it spans.
func (f *file) readBody(dst []byte, pos int64) {
	u := f.unitLen
	t := pos % u
	// The span holding t: the last one starting at or before it.
	lo, hi := 0, len(f.spans)-1
	for lo < hi {
		if mid := (lo + hi + 1) / 2; f.spans[mid].off <= t {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	for i, n := lo, 0; n < len(dst); {
		s := &f.spans[i]
		n += copy(dst[n:], s.src[t-s.off:])
		if i++; i == len(f.spans) {
			i = 0
		}
		t = f.spans[i].off
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
			pt.render(&buf, k)
			lo, hi := max(start, pos), min(stop, end)
			copy(dst[lo-pos:hi-pos], buf[lo-start:hi-start])
		}
	}
}

// Helpers for building templates at New time.

func be16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }
func be32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
func be64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }
