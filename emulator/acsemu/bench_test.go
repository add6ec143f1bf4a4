package acsemu_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acsemu/acsemu/emulator"
)

// healthy polls url's /_emulator/health until it answers 200.
func healthy(ctx context.Context, b *testing.B, url string) {
	c := &http.Client{Timeout: time.Second}
	if !poll1ms(ctx, func() bool {
		resp, err := c.Get(url + "/_emulator/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		b.Fatalf("%s never answered", url)
	}
}

func poll1ms(ctx context.Context, f func() bool) bool {
	for !f() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Millisecond):
		}
	}
	return true
}

// BenchmarkColdStart measures the image's size and its cold start: from
// `docker start` of a created container to /_emulator/health answering on
// the host network; the in-process emulator's start (emulator.New to health)
// in the same run is the baseline. Targets: 25 MB, 1 s.
func BenchmarkColdStart(b *testing.B) {
	img := testImage(b)
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
	defer cancel()
	size, err := docker(ctx, "image", "inspect", "-f", "{{.Size}}", img)
	if err != nil {
		b.Fatalf("docker image inspect: %v %s", err, size)
	}
	bytes, err := strconv.ParseFloat(strings.TrimSpace(size), 64)
	if err != nil {
		b.Fatal(err)
	}

	var container, inProcess time.Duration
	for b.Loop() {
		b.StopTimer()
		addr, name := freeAddr(b), uniqueName("acsemu-bench-")
		if out, err := docker(ctx, "create", "--name", name, "--network", "host", "-e", "ACSEMU_ADDR="+addr, img); err != nil {
			b.Fatalf("docker create: %v %s", err, out)
		}
		b.StartTimer()
		start := time.Now()
		if out, err := docker(ctx, "start", name); err != nil {
			b.Fatalf("docker start: %v %s", err, out)
		}
		healthy(ctx, b, "http://"+addr)
		container += time.Since(start)
		b.StopTimer()
		_, _ = docker(context.Background(), "rm", "-f", name)

		start = time.Now()
		srv, err := emulator.New(emulator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		healthy(ctx, b, srv.URL())
		inProcess += time.Since(start)
		srv.Close()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(bytes/1e6, "image-MB")
	b.ReportMetric(float64(container.Milliseconds())/n, "cold-start-ms")
	b.ReportMetric(float64(inProcess.Microseconds())/1e3/n, "in-process-start-ms")
	b.ReportMetric(float64(container)/float64(inProcess), "x-in-process")
	b.Logf("image %s: %.1f MB (target 25 MB); cold start %.0f ms (target 1000 ms), %.0fx the in-process start",
		img, bytes/1e6, float64(container.Milliseconds())/n, float64(container)/float64(inProcess))
}
