package scenarios_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.yaml.in/yaml/v3"
)

// ciStep is one step of the README's GitHub Actions recipe.
type ciStep struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

// readmeRecipe returns the YAML block after the ci-recipe marker in README.md.
func readmeRecipe() string {
	GinkgoHelper()
	raw, err := os.ReadFile("../README.md")
	Expect(err).NotTo(HaveOccurred())
	_, rest, ok := strings.Cut(string(raw), "<!-- ci-recipe:")
	Expect(ok).To(BeTrue(), "README.md has no ci-recipe marker")
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	Expect(ok).To(BeTrue())
	block, _, ok := strings.Cut(rest, "```")
	Expect(ok).To(BeTrue())
	return block
}

// The README's CI recipe, run step by step in its order, with three
// substitutions a test needs: free ports instead of 8080 and 10900 (the
// emulator's through ACSEMU_ADDR), acsemu built from this tree instead of
// the clone and make build, and the app resolving the storage host itself
// instead of the `sudo tee -a /etc/hosts` step. start-my-app.sh is the
// brokenhook fixture without a flaw, which reads NODE_EXTRA_CA_CERTS once at
// its start: before the emulator exists.
var _ = Describe("The README's CI recipe", Label("area:contract"), func() {
	It("runs verbatim, in the order a CI job runs, and passes the contract", func(ctx SpecContext) {
		bin := filepath.Dir(buildBinary("cmd/acsemu"))
		hook := buildBinary("fixtures/brokenhooks/cmd/brokenhook")
		Expect(os.Rename(hook, filepath.Join(bin, "brokenhook"))).To(Succeed())
		work := GinkgoT().TempDir()
		webhookAddr, emulatorAddr := freeAddr(), freeAddr()

		recipe := strings.ReplaceAll(readmeRecipe(), "127.0.0.1:8080", webhookAddr)
		recipe = strings.ReplaceAll(recipe, "127.0.0.1:10900", emulatorAddr)
		var steps []ciStep
		Expect(yaml.Unmarshal([]byte(recipe), &steps)).To(Succeed(), recipe)
		Expect(len(steps)).To(BeNumerically(">=", 4))

		app := "#!/bin/sh\nexec brokenhook --listen " + webhookAddr + " --secret my-secret --out recordings --resolve us-storage.asm.skype.com=127.0.0.1\n"
		Expect(os.WriteFile(filepath.Join(work, "start-my-app.sh"), []byte(app), 0o755)).To(Succeed())
		Expect(os.Mkdir(filepath.Join(work, "recordings"), 0o755)).To(Succeed())
		env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "ACSEMU_ADDR="+emulatorAddr)

		log, err := os.Create(filepath.Join(GinkgoT().TempDir(), "ci.log"))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(log.Close)
		readLog := func() string { b, _ := os.ReadFile(log.Name()); return string(b) }
		DeferCleanup(func() { GinkgoWriter.Print(readLog()) })
		ran := 0
		for _, step := range steps {
			switch {
			case step.Uses != "":
				continue // the runner's setup: Go is here
			case strings.HasPrefix(step.Run, "git clone https://github.com/acsemu/acsemu "):
				continue // acsemu is built from this tree, on PATH
			case strings.Contains(step.Run, "/etc/hosts"):
				continue // the app resolves the storage host itself (--resolve)
			}
			cmd := exec.CommandContext(ctx, "bash", "-e", "-c", step.Run)
			cmd.Dir = work
			cmd.Env = append([]string{}, env...)
			for k, v := range step.Env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			// A background step (`cmd &`) outlives its shell, as on a CI
			// runner: its own process group, killed at the end. The output
			// goes to a file, not a pipe the background process would
			// hold open.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Stdout, cmd.Stderr = log, log
			err := cmd.Run()
			if cmd.Process != nil {
				DeferCleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
			}
			Expect(err).NotTo(HaveOccurred(), "step %q failed:\n%s", step.Run, readLog())
			ran++
		}
		Expect(ran).To(Equal(3), "the recipe's steps changed: update this test's substitutions")
		junit, err := os.ReadFile(filepath.Join(work, "contract.xml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(junit)).To(ContainSubstring(`<testsuites name="acsemu contract" tests="16" failures="0"`))
		Expect(filepath.Join(work, ".acsemu-ca", "ca.pem")).To(BeAnExistingFile())
	}, NodeTimeout(4*time.Minute))
})
