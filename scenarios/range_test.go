package scenarios_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/scenarios/match"
)

// The two download APIs: the GA storage path of current events and the 2021
// preview API of the seed.
var downloadAPIs = []struct {
	name string
	url  func(api.Document) string
}{
	{"the GA storage path", func(d api.Document) string { return d.ContentLocation }},
	{"the 2021 preview API", func(d api.Document) string { return d.PreviewContentURL }},
}

var _ = Describe("Range requests", Label("area:range"), func() {
	var (
		srv  *emulator.Server
		doc  api.Document
		full []byte
		size int64
	)
	BeforeEach(func(ctx SpecContext) {
		// With ETag and Last-Modified, which the real storage was not recorded
		// sending: these specs are about RFC 9110 validators.
		srv = startEmulator(emulator.Options{Seed: 3, StorageValidators: true})
		rec := createRecording(ctx, srv, api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true})
		doc = rec.Documents[0]
		_, full = fetch(signedClient(srv), doc.ContentLocation, nil)
		Expect(sha(full)).To(Equal(doc.SHA256))
		size = int64(len(full))
	})

	get := func(url string, h http.Header) (*http.Response, []byte) {
		GinkgoHelper()
		return fetch(signedClient(srv), url, h)
	}

	// from and to give the expected bytes from the size (to is inclusive).
	type want struct {
		status   int
		from, to func(size int64) int64
	}
	at := func(n int64) func(int64) int64 { return func(int64) int64 { return n } }
	fromEnd := func(n int64) func(int64) int64 { return func(s int64) int64 { return s - n } }

	var entries []TableEntry
	for _, api := range downloadAPIs {
		for _, c := range []struct {
			name, rng string
			want      want
		}{
			{"answers a closed range with exactly those bytes", "bytes=0-499", want{206, at(0), at(499)}},
			{"answers an open-ended range with the rest of the file", "bytes=9500-", want{206, at(9500), fromEnd(1)}},
			{"answers a suffix range with the last bytes", "bytes=-500", want{206, fromEnd(500), fromEnd(1)}},
			{"clamps a range that ends past the file", "bytes=100-99999999", want{206, at(100), fromEnd(1)}},
			{"ignores a malformed range and sends the whole file, as RFC 9110 says", "bytes=undefined", want{200, at(0), fromEnd(1)}},
			{"ignores a range in an unknown unit", "items=0-5", want{200, at(0), fromEnd(1)}},
		} {
			entries = append(entries, Entry(fmt.Sprintf("%s on %s (%s)", c.name, api.name, c.rng), api.url, c.rng, c.want))
		}
	}
	DescribeTable("follows RFC 9110 on both download APIs",
		func(ctx SpecContext, url func(api.Document) string, rng string, w want) {
			resp, body := get(url(doc), http.Header{"Range": {rng}})
			Expect(resp.StatusCode).To(Equal(w.status))
			Expect(resp.Header.Get("Accept-Ranges")).To(Equal("bytes"))
			from, to := w.from(size), w.to(size)
			Expect(body).To(Equal(full[from : to+1]))
			if w.status == http.StatusPartialContent {
				Expect(resp.Header.Get("Content-Range")).To(Equal(fmt.Sprintf("bytes %d-%d/%d", from, to, size)))
			}
			Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequest(journal.Filter{
				Plane: journal.PlaneData, Target: journal.TargetMedia, DocumentID: doc.ID, RangePrefix: rng, Status: w.status}))
		},
		entries,
	)

	for _, api := range downloadAPIs {
		It("answers a range past the end with 416 and Content-Range bytes */size on "+api.name, func(ctx SpecContext) {
			resp, _ := get(api.url(doc), http.Header{"Range": {fmt.Sprintf("bytes=%d-", size)}})
			Expect(resp.StatusCode).To(Equal(http.StatusRequestedRangeNotSatisfiable))
			Expect(resp.Header.Get("Content-Range")).To(Equal(fmt.Sprintf("bytes */%d", size)))
			Expect(srv).To(match.HaveRequestWithin(journal.Filter{
				Plane: journal.PlaneData, DocumentID: doc.ID, Status: http.StatusRequestedRangeNotSatisfiable}, journalTimeout))
		})

		It("sends several ranges as multipart/byteranges on "+api.name, func() {
			resp, body := get(api.url(doc), http.Header{"Range": {"bytes=0-99,-100"}})
			Expect(resp.StatusCode).To(Equal(http.StatusPartialContent))
			mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			Expect(err).NotTo(HaveOccurred())
			Expect(mt).To(Equal("multipart/byteranges"))
			mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
			var parts [][]byte
			var ranges []string
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				Expect(err).NotTo(HaveOccurred())
				b, err := io.ReadAll(p)
				Expect(err).NotTo(HaveOccurred())
				parts = append(parts, b)
				ranges = append(ranges, p.Header.Get("Content-Range"))
			}
			Expect(parts).To(Equal([][]byte{full[:100], full[size-100:]}))
			Expect(ranges).To(Equal([]string{fmt.Sprintf("bytes 0-99/%d", size), fmt.Sprintf("bytes %d-%d/%d", size-100, size-1, size)}))
		})

		It("resumes with If-Range when the ETag matches and sends the whole file when it does not on "+api.name, func() {
			resp, body := get(api.url(doc), http.Header{"Range": {"bytes=10-"}, "If-Range": {doc.ETag}})
			Expect(resp.StatusCode).To(Equal(http.StatusPartialContent))
			Expect(body).To(Equal(full[10:]))
			resp, body = get(api.url(doc), http.Header{"Range": {"bytes=10-"}, "If-Range": {`"stale"`}})
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			Expect(body).To(Equal(full))
			Expect(resp.Header.Get("ETag")).To(Equal(doc.ETag))
		})

		It("answers HEAD with the size, ETag and Accept-Ranges but no body on "+api.name, func() {
			req, err := http.NewRequest(http.MethodHead, api.url(doc), nil)
			Expect(err).NotTo(HaveOccurred())
			resp, err := signedClient(srv).Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			Expect(resp.ContentLength).To(Equal(size))
			Expect(resp.Header.Get("ETag")).To(Equal(doc.ETag))
			Expect(resp.Header.Get("Accept-Ranges")).To(Equal("bytes"))
			Expect(io.ReadAll(resp.Body)).To(BeEmpty())
			Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequest(journal.Filter{
				Plane: journal.PlaneData, Method: http.MethodHead, DocumentID: doc.ID, Status: http.StatusOK}))
		})
	}

	It("answers the metadata document's ranges too", func() {
		_, meta := get(doc.MetadataLocation, nil)
		Expect(sha(meta)).To(Equal(doc.MetadataSHA256))
		resp, body := get(doc.PreviewMetadataURL, http.Header{"Range": {"bytes=1-"}})
		Expect(resp.StatusCode).To(Equal(http.StatusPartialContent))
		Expect(body).To(Equal(meta[1:]))
	})
})
