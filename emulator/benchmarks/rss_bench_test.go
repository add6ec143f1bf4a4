package benchmarks

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/control"
)

// peakRSS reads the peak resident set size (VmHWM) of pid in bytes.
func peakRSS(pid int, field string) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// startBinary builds and starts `acsemu serve` on a free port and returns its
// base URL and connection string.
func startBinary(b *testing.B) (*exec.Cmd, string, signer.ConnectionString) {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "acsemu")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/acsemu/acsemu/cmd/acsemu").CombinedOutput(); err != nil {
		b.Fatalf("build acsemu: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, cs, ok := strings.Cut(sc.Text(), "connection string: "); ok {
			go func() { // drain the rest so the process never blocks on a full pipe
				for sc.Scan() {
				}
			}()
			parsed, err := signer.ParseConnectionString(cs)
			if err != nil {
				b.Fatal(err)
			}
			return cmd, strings.TrimRight(parsed.Endpoint.String(), "/"), parsed
		}
	}
	b.Fatal("acsemu printed no connection string")
	return nil, "", signer.ConnectionString{}
}

// BenchmarkPeakRSSServing1_5GB reports the emulator process's peak RSS while
// one client downloads a whole 1.5 GB chunk: target <= 64 MB.
func BenchmarkPeakRSSServing1_5GB(b *testing.B) {
	cmd, base, cs := startBinary(b)
	ctl, err := control.NewClient(base, nil)
	if err != nil {
		b.Fatal(err)
	}
	const limit = 1536 << 20
	rec, err := ctl.CreateRecording(context.Background(), api.RecordingSpec{
		Duration: api.Duration(time.Duration(limit/512_000+60) * time.Second), ChannelType: "unmixed",
		ParticipantCount: 16, ChunkSizeLimit: limit, NoEvent: true})
	if err != nil {
		b.Fatal(err)
	}
	idle, err := peakRSS(cmd.Process.Pid, "VmRSS")
	if err != nil {
		b.Fatal(err)
	}
	c := signer.New(cs).Client()
	d := rec.Documents[0]
	b.SetBytes(d.Size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := fetch(c, d.ContentLocation, 0, -1, make([]byte, 1<<20)); err != nil || n != d.Size {
			b.Fatalf("downloaded %d of %d bytes: %v", n, d.Size, err)
		}
	}
	b.StopTimer()
	peak, err := peakRSS(cmd.Process.Pid, "VmHWM")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(d.Size)/1e9, "chunk-GB")
	b.ReportMetric(float64(idle)/(1<<20), "idle-RSS-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(peak)/float64(d.Size), "peak/chunk")
}
