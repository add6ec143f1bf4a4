package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
	"github.com/acsemu/acsemu/emulator/recordings"
)

func TestTheJournalListingIsPagedAndTheClientFollowsIt(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{JournalMaxBytes: 64 << 20})
	const n = journal.MaxPage + 500
	for i := range n {
		srv.Journal().Add(journal.Entry{Plane: journal.PlaneData, Path: fmt.Sprintf("/r/%d", i)})
	}
	hc := srv.HTTPClient()
	resp, err := hc.Get(srv.URL() + "/_emulator/requests?plane=data")
	if err != nil {
		t.Fatal(err)
	}
	var page []journal.Entry
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || len(page) != journal.MaxPage {
		t.Fatalf("first page: %d entries, %v", len(page), err)
	}
	link := resp.Header.Get("Link")
	want := fmt.Sprintf("afterId=%d", page[len(page)-1].ID)
	if !strings.Contains(link, want) || !strings.Contains(link, "plane=data") || !strings.HasSuffix(link, `rel="next"`) {
		t.Fatalf("Link %q: want the same filter with %s", link, want)
	}
	all, err := srv.Control().Requests(context.Background(), api.RequestFilter{Plane: journal.PlaneData})
	if err != nil || len(all) != n || all[n-1].Path != fmt.Sprintf("/r/%d", n-1) {
		t.Fatalf("the client listed %d of %d entries: %v", len(all), n, err)
	}
	_, err = srv.Control().Requests(context.Background(), api.RequestFilter{Limit: journal.MaxPage + 1})
	var ae *control.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest {
		t.Fatalf("a limit over %d: %v, want a 400", journal.MaxPage, err)
	}
	cfg, err := srv.Control().Config(context.Background())
	if err != nil || cfg.JournalMaxBytes != 64<<20 || cfg.JournalMaxHeaderBytes != journal.DefaultMaxHeaderBytes || cfg.JournalMaxEntries != journal.DefaultCapacity {
		t.Fatalf("config reports %+v, %v", cfg, err)
	}
}

func TestCreatingALongRecordingHashesNothingUntilAsked(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{MaxRecordings: 2})
	ctl, ctx := srv.Control(), context.Background()
	// 48 hours, 16 channels: 88 GB in 59 chunks, 82 s to hash before answering.
	rec, err := ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(48 * time.Hour), ChannelType: "unmixed",
		ParticipantCount: 16, NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Documents) < 50 {
		t.Fatalf("%d documents", len(rec.Documents))
	}
	for _, d := range rec.Documents {
		if !d.HashPending || d.SHA256 != "" || d.Size < 1<<30 {
			t.Fatalf("document %d: pending %v sha %q size %d: creating must not hash", d.Index, d.HashPending, d.SHA256, d.Size)
		}
	}
	// A small one is waited for through the client.
	small, err := ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(time.Minute), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	small, err = ctl.WaitHashes(ctx, small.ID)
	if err != nil || small.Documents[0].HashPending || len(small.Documents[0].SHA256) != 64 || len(small.Documents[0].MetadataSHA256) != 64 {
		t.Fatalf("after waiting: %+v %v", small.Documents[0], err)
	}
	// A third recording is beyond MaxRecordings: 507 in the control plane's shape.
	_, err = ctl.CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true})
	var ae *control.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusInsufficientStorage || ae.Code != "InsufficientStorage" || !strings.Contains(ae.Message, "2 recordings") {
		t.Fatalf("over the bound: %v", err)
	}
	cfg, err := ctl.Config(ctx)
	if err != nil || cfg.MaxRecordings != 2 || cfg.MaxStoredBytes != recordings.DefaultMaxStoredBytes || cfg.WriteIdleTimeout != "2m0s" {
		t.Fatalf("config %+v %v", cfg, err)
	}
}
