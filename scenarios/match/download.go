package match

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/faults"
	"github.com/acsemu/acsemu/emulator/journal"
)

type metadataOnce struct {
	rec     api.Recording
	problem string
}

// HaveDownloadedMetadataOnce succeeds when the metadata document of every
// chunk of rec was downloaded completely and exactly once (the metadata
// counterpart of HaveDownloadedOnce): the emulator sent each one's bytes in
// one successful GET.
//
//	Eventually(srv).WithTimeout(journalTimeout).Should(match.HaveDownloadedMetadataOnce(rec))
func HaveDownloadedMetadataOnce(rec api.Recording) types.GomegaMatcher {
	return &metadataOnce{rec: rec}
}

func (m *metadataOnce) Match(actual any) (bool, error) {
	for _, d := range m.rec.Documents {
		es, err := query(actual, journal.Filter{Plane: journal.PlaneData, Target: journal.TargetMetadata, Method: "GET", DocumentID: d.ID})
		if err != nil {
			return false, err
		}
		var ok int
		var sent int64
		for _, e := range es {
			if e.Status == 200 || e.Status == 206 {
				ok++
				sent += e.BytesSent
			}
		}
		if ok != 1 || sent != d.MetadataSize {
			m.problem = fmt.Sprintf("the metadata of document %d (%s) is %d bytes; the emulator sent %d bytes of it in %d successful GETs (%d in all)",
				d.Index, d.ID, d.MetadataSize, sent, ok, len(es))
			return false, nil
		}
	}
	return true, nil
}

func (m *metadataOnce) FailureMessage(any) string {
	return "expected every chunk's metadata to be downloaded exactly once: " + m.problem
}

func (m *metadataOnce) NegatedFailureMessage(any) string {
	return "expected some chunk's metadata not to be downloaded exactly once, but each one was"
}

type noViolations struct {
	got faults.Violations
}

// HaveNoRetryAfterViolations succeeds when no client came back before the
// Retry-After the emulator gave it (judged on the emulator's clock). The
// actual value is an *emulator.Server or a *control.Client.
//
//	Expect(srv).To(match.HaveNoRetryAfterViolations())
func HaveNoRetryAfterViolations() types.GomegaMatcher { return &noViolations{} }

func (m *noViolations) Match(actual any) (bool, error) {
	switch a := actual.(type) {
	case interface{ Faults() *faults.Injector }:
		m.got = a.Faults().Violations()
	case *control.Client:
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		v, err := a.FaultViolations(ctx)
		if err != nil {
			return false, err
		}
		m.got = v
	default:
		return false, fmt.Errorf("match: expected an *emulator.Server or a *control.Client, got %T", actual)
	}
	return m.got.Count == 0, nil
}

func (m *noViolations) FailureMessage(any) string {
	var lines []string
	for _, v := range m.got.Recent {
		line := fmt.Sprintf("  retry-after-violation: came back after %s of %s: %s came back to %s", time.Duration(v.Waited), time.Duration(v.Required), v.Client, v.Path)
		if v.Rule != "" {
			line += " (Retry-After from fault rule " + v.Rule + ")"
		}
		lines = append(lines, line)
	}
	return fmt.Sprintf("expected no request before its Retry-After, found %d:\n%s", m.got.Count, strings.Join(lines, "\n"))
}

func (m *noViolations) NegatedFailureMessage(any) string {
	return "expected a request before its Retry-After, found none"
}
