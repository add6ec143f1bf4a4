// Package match holds Gomega matchers for tests that run a client against
// acsemu: they read the emulator's request journal and the files a client
// wrote, so a test states what the client must have done on the wire.
//
//	Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveRequest(match.ResumedAt(docID, 1048576)))
//	Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedOnce(recording))
//	Expect(filepath.Join(dir, name)).To(match.BeFileWithSHA256(doc.SHA256))
//
// Use Eventually for what must appear: the emulator journals a request as
// its answer ends, a moment after the client has read the last byte, so one
// read straight after a download can miss it.
//
// The actual value of the journal matchers is anything with a Journal()
// *journal.Journal method (an *emulator.Server) or a *control.Client (for an
// emulator in another process).
package match

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/journal"
)

// requestTimeout bounds a journal query made through the control plane.
const requestTimeout = 10 * time.Second

// query reads the journal of actual.
func query(actual any, f api.RequestFilter) ([]api.Entry, error) {
	switch a := actual.(type) {
	case interface{ Journal() *journal.Journal }:
		return a.Journal().Query(f), nil
	case *control.Client:
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		return a.Requests(ctx, f)
	}
	return nil, fmt.Errorf("match: expected an *emulator.Server or a *control.Client, got %T", actual)
}

// ResumedAt selects data-plane GETs of a document's media whose Range starts at offset.
func ResumedAt(documentID string, offset int64) api.RequestFilter {
	return api.RequestFilter{Plane: api.PlaneData, Target: api.TargetMedia, Method: "GET",
		DocumentID: documentID, RangePrefix: fmt.Sprintf("bytes=%d-", offset)}
}

type requestMatcher struct {
	filter api.RequestFilter
	count  int // -1: at least one
	within time.Duration
	got    int
}

// HaveRequest succeeds when the journal holds at least one request matching f.
func HaveRequest(f api.RequestFilter) types.GomegaMatcher {
	return &requestMatcher{filter: f, count: -1}
}

// HaveRequestCount succeeds when exactly n requests match f.
func HaveRequestCount(f api.RequestFilter, n int) types.GomegaMatcher {
	return &requestMatcher{filter: f, count: n}
}

func (m *requestMatcher) Match(actual any) (bool, error) {
	get := query
	if m.within > 0 {
		get = func(actual any, _ api.RequestFilter) ([]api.Entry, error) { return m.await(actual) }
	}
	es, err := get(actual, m.filter)
	if err != nil {
		return false, err
	}
	m.got = len(es)
	if m.count < 0 {
		return m.got > 0, nil
	}
	return m.got == m.count, nil
}

func (m *requestMatcher) FailureMessage(any) string {
	if m.count < 0 && m.within > 0 {
		return fmt.Sprintf("expected a request matching %s within %s, found none", m.filter.String(), m.within)
	}
	if m.count < 0 {
		return fmt.Sprintf("expected the journal to hold a request matching %s, found none", m.filter.String())
	}
	return fmt.Sprintf("expected the journal to hold %d requests matching %s, found %d", m.count, m.filter.String(), m.got)
}

func (m *requestMatcher) NegatedFailureMessage(any) string {
	return fmt.Sprintf("expected the journal to hold no request matching %s, found %d", m.filter.String(), m.got)
}

// HaveRequestWithin succeeds when at least one request matching f is in the
// journal or arrives within wait. It waits without polling: on an
// *emulator.Server with Journal.Await, on a *control.Client with a long poll
// on GET /_emulator/requests?wait= (Client.WaitRequests), which the emulator
// answers with the same waiting loop (journal.Until). Use it with
// Expect in place of Eventually(...).Should(HaveRequest(f)).
func HaveRequestWithin(f api.RequestFilter, wait time.Duration) types.GomegaMatcher {
	return &requestMatcher{filter: f, count: -1, within: wait}
}

// await waits up to m.within until at least one entry matches.
func (m *requestMatcher) await(actual any) ([]api.Entry, error) {
	ctx, cancel := context.WithTimeout(context.Background(), m.within)
	defer cancel()
	switch a := actual.(type) {
	case interface{ Journal() *journal.Journal }:
		es, _ := a.Journal().Await(ctx, m.filter, 1) // the wait running out is a mismatch, not an error
		return es, nil
	case *control.Client:
		return a.WaitRequests(ctx, m.filter, 1, m.within)
	}
	return nil, fmt.Errorf("match: expected an *emulator.Server or a *control.Client, got %T", actual)
}

type downloadedOnce struct {
	rec     api.Recording
	problem string
}

// HaveDownloadedOnce succeeds when every document of rec was downloaded
// completely and exactly once: the media bytes the emulator sent for each
// document, over all its requests, add up to its size (a client that starts
// over after a failure sends more; one that skips a chunk sends fewer).
func HaveDownloadedOnce(rec api.Recording) types.GomegaMatcher { return &downloadedOnce{rec: rec} }

func (m *downloadedOnce) Match(actual any) (bool, error) {
	for _, d := range m.rec.Documents {
		es, err := query(actual, api.RequestFilter{Plane: api.PlaneData, Target: api.TargetMedia, Method: "GET", DocumentID: d.ID})
		if err != nil {
			return false, err
		}
		var sent int64
		for _, e := range es {
			if e.Status == 200 || e.Status == 206 {
				sent += e.BytesSent
			}
		}
		if sent != d.Size {
			m.problem = fmt.Sprintf("document %d (%s) is %d bytes but the emulator sent %d bytes of it in %d requests", d.Index, d.ID, d.Size, sent, len(es))
			return false, nil
		}
	}
	return true, nil
}

func (m *downloadedOnce) FailureMessage(any) string {
	return "expected every chunk to be downloaded exactly once: " + m.problem
}

func (m *downloadedOnce) NegatedFailureMessage(any) string {
	return "expected some chunk not to be downloaded exactly once, but each one was"
}

type fileSHA struct {
	want, got string
}

// BeFileWithSHA256 succeeds when the file at the actual path has the given hex SHA-256.
func BeFileWithSHA256(hexSum string) types.GomegaMatcher {
	return &fileSHA{want: strings.ToLower(hexSum)}
}

func (m *fileSHA) Match(actual any) (bool, error) {
	path, ok := actual.(string)
	if !ok {
		return false, fmt.Errorf("match: BeFileWithSHA256 expects a path string, got %T", actual)
	}
	f, err := os.Open(path)
	if err != nil {
		m.got = err.Error()
		return false, nil
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	m.got = hex.EncodeToString(h.Sum(nil))
	return m.got == m.want, nil
}

func (m *fileSHA) FailureMessage(actual any) string {
	return fmt.Sprintf("expected %v to have SHA-256 %s, got %s", actual, m.want, m.got)
}

func (m *fileSHA) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected %v not to have SHA-256 %s", actual, m.want)
}
