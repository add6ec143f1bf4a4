package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// bar is one progress bar for every file being downloaded: parallel
// downloads add their sizes to its total (one line on a terminal, not one
// garbled line per file).
type bar struct {
	mu     sync.Mutex
	w      io.Writer
	pb     *progressbar.ProgressBar
	total  int64
	active int
	files  int
}

func newBar(w io.Writer) *bar { return &bar{w: w} }

// Begin implements download.Progress.
func (b *bar) Begin(name string, total, done int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pb == nil || b.pb.IsFinished() {
		b.pb = progressbar.NewOptions64(0, progressbar.OptionSetWriter(b.w), progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }))
		b.total = 0
	}
	b.active++
	b.files++
	if total > 0 {
		b.total += total
		b.pb.ChangeMax64(b.total)
	}
	b.pb.Describe(fmt.Sprintf("%d file(s) %s", b.active, short(name)))
	if done > 0 {
		b.pb.Add64(done)
	}
}

// Add implements download.Progress.
func (b *bar) Add(_ string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pb != nil {
		b.pb.Add64(n)
	}
}

// End implements download.Progress.
func (b *bar) End(name string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active--
	if b.pb == nil {
		return
	}
	if err != nil {
		b.pb.Describe("failed: " + short(name))
	}
	if b.active == 0 {
		b.pb.Finish()
	}
}

func short(name string) string {
	if len(name) > 40 {
		return name[:18] + "…" + name[len(name)-21:]
	}
	return name
}
