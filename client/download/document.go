package download

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/acsemu/acsemu/client/jobs"
)

// PreviewAPIVersion is the api-version of the 2021 preview download API.
const PreviewAPIVersion = "2021-04-15-preview1"

// Result reports a downloaded document: its media, then its metadata.
type Result struct {
	Files []FileResult `json:"files"`
	// Deleted says the document was deleted from the service afterwards
	// (Options.DeleteAfterDownload).
	Deleted bool `json:"deleted,omitempty"`
}

// Bytes is the total size of the files.
func (r Result) Bytes() int64 {
	var n int64
	for _, f := range r.Files {
		n += f.Size
	}
	return n
}

// Names are the file names, relative to the output folder.
func (r Result) Names() []string {
	out := make([]string, len(r.Files))
	for i, f := range r.Files {
		out[i] = f.Name
	}
	return out
}

// Locations returns where a job's media and metadata are: the event's
// locations, or the 2021 preview API on the endpoint for a job without them.
func (d *Downloader) Locations(j jobs.Job) (media, metadata string) {
	if j.ContentLocation != "" || j.MetadataLocation != "" {
		return j.ContentLocation, j.MetadataLocation
	}
	base := *d.cs.Endpoint
	base.Path = strings.TrimRight(base.Path, "/") + "/recording/download/" + url.PathEscape(j.DocumentID)
	base.RawPath = ""
	base.RawQuery = "api-version=" + PreviewAPIVersion
	meta := base
	meta.Path += "/metadata"
	return base.String(), meta.String()
}

// Check refuses a job whose document id could escape the output folder or
// whose locations point at a host not allowed. It sends nothing.
func (d *Downloader) Check(j jobs.Job) error {
	if err := ValidateID(j.DocumentID); err != nil {
		return jobs.Permanent(fmt.Errorf("download: refused: %w (no request sent)", err))
	}
	media, meta := d.Locations(j)
	if media == "" || meta == "" {
		return jobs.Permanent(fmt.Errorf("download: refused document %s: it has a content or a metadata location but not both", j.DocumentID))
	}
	for _, loc := range []string{media, meta, j.DeleteLocation} {
		if loc == "" {
			continue // no deleteLocation: nothing to delete
		}
		u, err := d.policy.Check(loc)
		if err != nil {
			return jobs.Permanent(err)
		}
		if !namesDocument(u, j.DocumentID) {
			return jobs.Permanent(&RefusedError{Location: loc, Reason: fmt.Sprintf(
				"it does not name the event's document %s (want /v1/objects/%s/... or /recording/download/%s): an event for one document never touches another's files or deletes it",
				j.DocumentID, j.DocumentID, j.DocumentID)})
		}
	}
	return nil
}

// namesDocument reports whether a location addresses document id: the
// storage paths /v1/objects/{id}[/...] and the 2021 preview API's
// /recording/download/{id}[/metadata]. Without this, an event for document A
// carrying B's contentLocation would write B's bytes as A (and the genuine
// event for A would then be a "duplicate"), and a forged deleteLocation would
// delete another document from the service.
func namesDocument(u *url.URL, id string) bool {
	for _, prefix := range []string{"/v1/objects/", "/recording/download/"} {
		// The escaped path, as sent: a decoded one would let A%2F..%2FB pass as A.
		if rest, ok := strings.CutPrefix(u.EscapedPath(), prefix); ok {
			seg, tail, _ := strings.Cut(rest, "/")
			return seg == url.PathEscape(id) && !strings.Contains(tail, "..") && !strings.Contains(tail, "%")
		}
	}
	return false
}

// Document downloads a job's media into <id>.<format> and its metadata into
// <id>.metadata.json. It checks the job first (see Check): a refused job
// causes no request at all.
func (d *Downloader) Document(ctx context.Context, j jobs.Job) (Result, error) {
	if err := d.Check(j); err != nil {
		d.log.Error("refused a document", "documentId", clip(j.DocumentID), "err", err)
		return Result{}, err
	}
	media, meta := d.Locations(j)
	mu, _ := d.policy.Check(media)
	tu, _ := d.policy.Check(meta)
	// The small metadata first: a job retried after a failure then re-fetches
	// at most the metadata, while the media resumes from its partial file.
	names := partialNames(j)
	mf, err := d.fetch(ctx, target{url: tu, partial: names[0], max: d.opts.MaxMetadataSize,
		final: func(string) string { return j.DocumentID + ".metadata.json" }})
	if err != nil {
		return Result{}, err
	}
	fr, err := d.fetch(ctx, target{url: mu, partial: names[1], max: d.opts.MaxSize,
		final: func(ct string) string { return j.DocumentID + "." + extension(j.Format, ct, mu) }})
	if err != nil {
		return Result{}, err
	}
	res := Result{Files: []FileResult{fr, mf}}
	d.log.Info("document downloaded", "documentId", j.DocumentID, "files", res.Names(), "bytes", res.Bytes())
	if d.opts.DeleteAfterDownload && j.DeleteLocation != "" {
		// The files are safe on disk: a failed delete is logged, not retried
		// by downloading again (the service drops recordings after 48 hours).
		if err := d.deleteDocument(ctx, j); err != nil {
			d.log.Warn("could not delete the document from the service", "documentId", j.DocumentID, "err", err)
		} else {
			res.Deleted = true
		}
	}
	return res, nil
}

// partialNames are a job's partial files: its metadata's, then its media's.
func partialNames(j jobs.Job) [2]string {
	return [2]string{j.DocumentID + ".metadata.json.partial", j.DocumentID + ".media.partial"}
}

// deleteDocument sends a signed DELETE to the job's deleteLocation, under the
// same host policy as downloads. 200 is what the service answers; 202, 204
// and 404 (already gone) also leave nothing behind.
func (d *Downloader) deleteDocument(ctx context.Context, j jobs.Job) error {
	u, err := d.policy.Check(j.DeleteLocation)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := d.client(u.String()).Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusAccepted, http.StatusNoContent, http.StatusNotFound:
		return nil
	}
	return &HTTPError{Status: resp.StatusCode, URL: u.String()}
}

// sniffMedia returns contentType, or, when it says nothing about the media
// (the real storage answers application/octet-stream for everything), the
// type the file's first bytes show: WAV, MP4 or MP3.
func sniffMedia(head []byte, contentType string) string {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "" && mt != "application/octet-stream" {
		return contentType
	}
	switch {
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return "audio/wav"
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return "video/mp4"
	case len(head) >= 3 && string(head[:3]) == "ID3", len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0:
		return "audio/mpeg"
	}
	return contentType
}

// extension picks the media file's extension: the event's format, else the
// Content-Type, else the location's kind.
func extension(format, contentType string, u *url.URL) string {
	switch f := strings.ToLower(format); f {
	case "wav", "mp3", "mp4":
		return f
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave":
		return "wav"
	case "audio/mpeg", "audio/mp3":
		return "mp3"
	case "video/mp4", "audio/mp4":
		return "mp4"
	}
	if strings.HasSuffix(u.Path, "/content/video") {
		return "mp4"
	}
	return "bin"
}

// JobFromLocation makes a job from a GA content location
// (https://host/v1/objects/<documentId>/content/audio|video): its metadata is
// beside it (.../content/acsmetadata).
func JobFromLocation(location string) (jobs.Job, error) {
	u, err := url.Parse(location)
	if err != nil || u.Host == "" {
		return jobs.Job{}, fmt.Errorf("download: %q is not an absolute URL", clip(location))
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) != 5 || parts[0] != "v1" || parts[1] != "objects" || parts[3] != "content" || parts[4] == "acsmetadata" {
		return jobs.Job{}, fmt.Errorf("download: %q is not a content location (/v1/objects/<documentId>/content/audio|video)", clip(location))
	}
	if err := ValidateID(parts[2]); err != nil {
		return jobs.Job{}, fmt.Errorf("download: %w", err)
	}
	meta := *u
	meta.Path, meta.RawPath = "/v1/objects/"+parts[2]+"/content/acsmetadata", ""
	return jobs.Job{DocumentID: parts[2], ContentLocation: u.String(), MetadataLocation: meta.String()}, nil
}

func hostOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	return normHost(u), nil
}

// memState keeps partial records in memory (Options.State nil).
type memState struct {
	mu sync.Mutex
	m  map[string]jobs.Partial
}

func newMemState() *memState { return &memState{m: map[string]jobs.Partial{}} }

func (m *memState) SavePartial(name string, p jobs.Partial) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[name] = p
	return nil
}

func (m *memState) LoadPartial(name string) (jobs.Partial, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.m[name]
	return p, ok, nil
}

func (m *memState) DeletePartial(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, name)
	return nil
}
