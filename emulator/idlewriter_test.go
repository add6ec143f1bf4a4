package emulator_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
)

// waitLimit bounds every wait on a condition in these tests (slow machines
// pass well within it; a hang fails instead of blocking the suite).
const waitLimit = 30 * time.Second

func signedRequest(t *testing.T, srv *emulator.Server, url string) *http.Request {
	t.Helper()
	cs, err := signer.ParseConnectionString(srv.ConnectionString())
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.New(cs).Sign(req, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed.Apply(req.Header, false)
	return req
}

func TestAClientThatStopsReadingHasItsConnectionClosed(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{WriteIdleTimeout: 200 * time.Millisecond})
	// 10 minutes of WAV, 19 MB: far more than the socket buffers hold.
	rec, err := srv.Control().CreateRecording(context.Background(), api.RecordingSpec{Duration: api.Duration(10 * time.Minute), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	doc := rec.Documents[0]
	conn, err := net.Dial("tcp", srv.URL()[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := signedRequest(t, srv, doc.ContentLocation).Write(conn); err != nil {
		t.Fatal(err)
	}
	// Read nothing: the handler ends (and is journaled) once the deadline
	// passes with the buffers full.
	var entry journal.Entry
	for deadline := time.Now().Add(waitLimit); ; {
		if es := srv.Journal().Query(journal.Filter{DocumentID: doc.ID}); len(es) == 1 {
			entry = es[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the handler still writes to a client that reads nothing", waitLimit)
		}
		select {
		case <-srv.Journal().Changed():
		case <-time.After(100 * time.Millisecond):
		}
	}
	if entry.BytesSent >= doc.Size {
		t.Fatalf("the whole %d bytes went out", doc.Size)
	}
	// The connection is closed: reading it now ends short of the file.
	_ = conn.SetReadDeadline(time.Now().Add(waitLimit))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil || n >= doc.Size {
		t.Fatalf("read %d of %d bytes, err %v: want a cut connection", n, doc.Size, err)
	}
}

func TestASlowDownloadUnderABandwidthFaultCompletes(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{WriteIdleTimeout: 100 * time.Millisecond})
	ctx := context.Background()
	rec, err := srv.Control().CreateRecording(ctx, api.RecordingSpec{Duration: api.Duration(time.Second), NoEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	doc := rec.Documents[0]
	// 32 kB at 20 kB/s: 1.6 s, far longer than the idle timeout.
	if _, err := srv.Control().AddFault(ctx, api.FaultRule{Match: api.FaultMatch{Target: "media"}, Action: api.FaultAction(`{"type":"bandwidth","bytesPerSecond":20000}`)}); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, signedClient(t, srv), doc.ContentLocation, nil)
	if resp.StatusCode != http.StatusOK || int64(len(body)) != doc.Size {
		t.Fatalf("%d, %d of %d bytes", resp.StatusCode, len(body), doc.Size)
	}
}
