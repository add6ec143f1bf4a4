package faults

import (
	"strconv"
	"strings"

	"github.com/acsemu/acsemu/emulator/httprange"
)

func init() { register("wrong-content-range", func() Action { return &WrongContentRange{} }) }

// WrongContentRange sends the right bytes under a wrong Content-Range (in a
// single-range 206 and in each part of a multipart one): first and last
// moved by Shift, or complete-length replaced by Size, or Value as is. With
// no field it shifts by 1.
type WrongContentRange struct {
	Shift int64  `json:"shift,omitempty"`
	Size  int64  `json:"size,omitempty"`
	Value string `json:"value,omitempty"`
}

func (*WrongContentRange) Kind() string          { return "wrong-content-range" }
func (*WrongContentRange) targets() []string     { return downloadTargets }
func (w *WrongContentRange) fire(*firing) effect { return w }

func (w *WrongContentRange) Validate() error {
	switch {
	case w.Size < 0:
		return fieldErr("size", "must not be negative")
	case strings.ContainsAny(w.Value, "\r\n\x00"):
		return fieldErr("value", "must be one header line")
	case w.Value != "" && (w.Shift != 0 || w.Size != 0):
		return fieldErr("value", "give value alone, or shift and size")
	}
	return nil
}

func (w *WrongContentRange) object(c *Call, _ *httprange.Object, opts *httprange.Options) {
	opts.ContentRangeOverride = func(r httprange.Range, size int64) string {
		got := w.Value
		if got == "" {
			shift := w.Shift
			if shift == 0 && w.Size == 0 {
				shift = 1
			}
			total := size
			if w.Size != 0 {
				total = w.Size
			}
			got = "bytes " + strconv.FormatInt(r.Start+shift, 10) + "-" + strconv.FormatInt(r.End+shift, 10) + "/" + strconv.FormatInt(total, 10)
		}
		c.note("Content-Range %q instead of %q", got, r.ContentRange(size))
		return got
	}
}
