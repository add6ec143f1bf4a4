package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/emulator/journal"
)

// stallProxy forwards TCP to target; while stalling, each connection's
// answer stops after limit bytes (headers included) and hangs there.
type stallProxy struct {
	ln     net.Listener
	target string
	limit  int64
	mu     sync.Mutex
	stall  bool
	body   int64 // body bytes forwarded on the stalled connection
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newStallProxy(t *testing.T, limit int64) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, limit: limit, stall: true}
	t.Cleanup(p.close)
	return p
}

// start forwards to target from now on.
func (p *stallProxy) start(target string) {
	p.target = target
	p.wg.Go(p.accept)
}

func (p *stallProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		stall := p.stall
		p.mu.Unlock()
		p.wg.Go(func() { io.Copy(up, c); up.Close() })
		p.wg.Go(func() {
			if stall {
				p.forwardThenStall(c, up)
				return
			}
			io.Copy(c, up)
			c.Close()
		})
	}
}

func (p *stallProxy) forwardThenStall(c, up net.Conn) {
	var sent bytes.Buffer
	io.Copy(io.MultiWriter(c, &sent), io.LimitReader(up, p.limit))
	// The connection may have carried the metadata first (keep-alive): the
	// body cut is the one after the last response header.
	b := sent.Bytes()
	if h := bytes.LastIndex(b, []byte("HTTP/1.1 ")); h >= 0 {
		if i := bytes.Index(b[h:], []byte("\r\n\r\n")); i >= 0 {
			p.mu.Lock()
			p.body = int64(len(b) - h - i - 4)
			p.mu.Unlock()
		}
	}
	io.Copy(io.Discard, up) // hold the client's connection open, sending nothing
}

func (p *stallProxy) stalledBody() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.body
}

func (p *stallProxy) passThrough() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stall = false
}

func (p *stallProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

var listenRE = regexp.MustCompile(`webhook=http://([0-9.:]+)/`)

// startChild runs acsrec serve as a separate process and returns it with its
// webhook address.
func startChild(t *testing.T, env []string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--listen", "127.0.0.1:0", "--progress", "off")
	cmd.Env = append(os.Environ(), append(env, "ACSREC_BE_MAIN=1")...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	addr, ok := <-found
	if !ok {
		cmd.Wait()
		t.Fatal("acsrec serve did not start")
	}
	return cmd, addr
}

// SIGKILL mid-download, start again: the file is finished from the bytes on
// disk, with one Range request starting exactly there.
func TestSIGKILLMidDownloadResumes(t *testing.T) {
	proxy := newStallProxy(t, 300_000)
	srv := emulatortest.Start(t, emulator.Options{Seed: 6, StorageBaseURL: "http://" + proxy.ln.Addr().String()})
	proxy.start(strings.TrimPrefix(srv.URL(), "http://"))
	doc := recording(t, srv, 1, 1_000_000).Documents[0]
	out := t.TempDir()
	env := []string{"ACSREC_CONNECTION_STRING=endpoint=http://" + proxy.ln.Addr().String() + "/;accesskey=" + emulator.DevAccessKeyBase64, "ACSREC_OUT=" + out, "ACSREC_SECRET=crash-secret"}
	partial := filepath.Join(out, doc.ID+".media.partial")
	size := func() int64 {
		fi, err := os.Stat(partial)
		if err != nil {
			return -1
		}
		return fi.Size()
	}

	child, addr := startChild(t, env)
	body := fmt.Sprintf(`[{"id":"e1","subject":"s","eventType":"Microsoft.Communication.RecordingFileStatusUpdated","dataVersion":"1.0","data":%s}]`,
		eventData(api.Recording{Documents: []api.Document{doc}}))
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/?code=crash-secret", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("aeg-event-type", "Notification")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("delivery: %v %v", resp, err)
	}
	resp.Body.Close()
	waitFor(t, "the download to stall", func() bool { b := proxy.stalledBody(); return b > 0 && size() == b })
	onDisk := size()
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	if size() != onDisk {
		t.Fatalf("the partial file changed after the kill")
	}

	proxy.passThrough()
	child, _ = startChild(t, env)
	waitFor(t, "the file", func() bool { _, err := os.Stat(filepath.Join(out, doc.ID+".wav")); return err == nil })
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Errorf("acsrec serve after SIGTERM: %v", err)
	}
	checkFiles(t, out, doc)
	ctx := context.Background()
	resumes := journal.Filter{Plane: journal.PlaneData, Target: journal.TargetMedia, HasRange: "yes"}
	emulatortest.AwaitRequests(t, srv, resumes, 1) // journaled when the answer ends, maybe after the child exits
	ranged, _ := srv.Control().Requests(ctx, resumes)
	if want := fmt.Sprintf("bytes=%d-", onDisk); len(ranged) != 1 || ranged[0].RangeAsked != want {
		t.Fatalf("ranged requests %+v, want one %s", ranged, want)
	}
	if served := ranged[0].BytesSent; served != doc.Size-onDisk {
		t.Errorf("the resume sent %d bytes, want %d", served, doc.Size-onDisk)
	}
}
