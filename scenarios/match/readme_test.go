package match_test

import (
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/acsemu/acsemu/client/signer"
	"github.com/acsemu/acsemu/emulator"
	"github.com/acsemu/acsemu/emulator/api"
	"github.com/acsemu/acsemu/emulator/emulatortest"
	"github.com/acsemu/acsemu/scenarios/match"
)

// TestREADMEGoExample is the README's Go example: its body, between the
// markers, is the README's go block, which TestREADMEGoExampleIsThisTest
// checks, so the README shows code that compiles and passes.
func TestREADMEGoExample(t *testing.T) {
	// README:begin
	srv := emulatortest.Start(t, emulator.Options{Seed: 1}) // free port, closed with the test
	rec, err := srv.Control().CreateRecording(t.Context(), api.RecordingSpec{
		Duration: api.Duration(90 * time.Second), ChannelType: "unmixed", ParticipantCount: 3,
		ChunkSizeLimit: 3_000_000,
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := rec.Documents[0]
	// Your downloader runs against srv.ConnectionString(); here, one signed request.
	cs, _ := signer.ParseConnectionString(srv.ConnectionString())
	resp, err := signer.New(cs).Client().Get(doc.ContentLocation)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A request is journaled as its answer ends: wait for it without polling.
	g := NewWithT(t)
	g.Expect(srv).To(match.HaveRequestWithin(api.RequestFilter{DocumentID: doc.ID, Status: 200}, 5*time.Second))
	// README:end
}

func TestREADMEGoExampleIsThisTest(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```go\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no go block")
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(src), "// README:begin\n")
	body, _, _ = strings.Cut(body, "\t// README:end")
	if strings.TrimSpace(block) != strings.TrimSpace(dedent(body)) {
		t.Errorf("the README's go block and TestREADMEGoExample differ; README:\n%s\ntest:\n%s", block, body)
	}
}

// dedent drops the one tab that indents the test's body.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}
