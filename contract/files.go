package contract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
)

// checkFiles looks in Config.OutputDir, whatever the file names, for a file
// with the media bytes (SHA-256 from the control plane) of each chunk the
// code downloaded in full, waiting up to Config.Idle for it to finish writing
// them. Chunks it never downloaded are the download checks' business.
func (r *run) checkFiles(ctx context.Context, recs []api.Recording) error {
	snap, err := r.journal(ctx)
	if err != nil {
		return err
	}
	var docs []api.Document
	for _, rec := range recs {
		// Creating a recording hashes nothing: wait for the SHA-256 to compare
		// (bounded by the run's own deadline).
		hashed, err := r.c.WaitHashes(ctx, rec.ID)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.set(CheckFiles, Fail, fmt.Sprintf("the emulator did not give the SHA-256 of recording %s: %v", rec.ID, err))
			return nil
		}
		for _, d := range hashed.Documents {
			if sent(snap.get(d.ID, journal.TargetMedia)) >= d.Size {
				docs = append(docs, d)
			}
		}
	}
	if len(docs) == 0 {
		r.set(CheckFiles, NotApplicable, "not applicable: your code downloaded no chunk in full (see download-once)")
		return nil
	}
	var missing []api.Document
	var found map[string][]string
	wctx, cancel := context.WithTimeout(ctx, r.cfg.Idle)
	defer cancel()
	err = poll(wctx, 100*time.Millisecond, func() (bool, error) {
		var err error
		if found, err = hashFiles(r.cfg.OutputDir, docs); err != nil {
			return false, err
		}
		missing = missing[:0]
		for _, d := range docs {
			if len(found[d.SHA256]) == 0 {
				missing = append(missing, d)
			}
		}
		return len(missing) == 0, nil
	})
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && wctx.Err() == nil {
		r.set(CheckFiles, Fail, fmt.Sprintf("could not read the output folder %s: %v", r.cfg.OutputDir, err))
		return nil
	}
	if len(missing) == 0 {
		metas := 0
		for _, d := range docs {
			if len(found[d.MetadataSHA256]) > 0 {
				metas++
			}
		}
		r.set(CheckFiles, Pass, fmt.Sprintf("found the exact bytes of all %d chunks downloaded in %s (and %d of their metadata documents)", len(docs), r.cfg.OutputDir, metas))
		return nil
	}
	var details []string
	for _, d := range missing {
		line := fmt.Sprintf("chunk %d (%s): %d bytes, sha256 %s", d.Index, d.ID, d.Size, d.SHA256)
		if same := found["size:"+d.ID]; len(same) > 0 {
			line += fmt.Sprintf("; %s has that size but other bytes", same[0])
		}
		details = append(details, line)
	}
	d := missing[0]
	r.set(CheckFiles, Fail, fmt.Sprintf("no file under %s holds the media of chunk %d (%s), %d bytes with SHA-256 %s, %s after its download (%d of %d downloaded chunks missing)",
		r.cfg.OutputDir, d.Index, d.ID, d.Size, d.SHA256, r.cfg.Idle, len(missing), len(docs)), details...)
	return nil
}

// hashFiles maps the SHA-256 of each file under dir whose size is one of the
// documents' media or metadata sizes to its paths; "size:<documentId>" lists
// the files that have a document's media size.
func hashFiles(dir string, docs []api.Document) (map[string][]string, error) {
	sizes := map[int64][]string{}
	for _, d := range docs {
		sizes[d.Size] = append(sizes[d.Size], d.ID)
		sizes[d.MetadataSize] = append(sizes[d.MetadataSize], "")
	}
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return nil // gone since: a rename in progress
		}
		ids, ok := sizes[info.Size()]
		if !ok {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return nil
		}
		sum := hex.EncodeToString(h.Sum(nil))
		out[sum] = append(out[sum], path)
		for _, id := range ids {
			if id != "" {
				out["size:"+id] = append(out["size:"+id], path)
			}
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil // not created yet
	}
	return out, err
}
