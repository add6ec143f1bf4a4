package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/control"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
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
	all, err := srv.Control().Requests(context.Background(), control.RequestFilter{Plane: journal.PlaneData})
	if err != nil || len(all) != n || all[n-1].Path != fmt.Sprintf("/r/%d", n-1) {
		t.Fatalf("the client listed %d of %d entries: %v", len(all), n, err)
	}
	_, err = srv.Control().Requests(context.Background(), control.RequestFilter{Limit: journal.MaxPage + 1})
	var ae *control.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest {
		t.Fatalf("a limit over %d: %v, want a 400", journal.MaxPage, err)
	}
	cfg, err := srv.Control().Config(context.Background())
	if err != nil || cfg.JournalMaxBytes != 64<<20 || cfg.JournalMaxHeaderBytes != journal.DefaultMaxHeaderBytes || cfg.JournalMaxEntries != journal.DefaultCapacity {
		t.Fatalf("config reports %+v, %v", cfg, err)
	}
}
