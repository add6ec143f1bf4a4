# acsemu — make run starts the emulator, make test runs every test.
GO        ?= go
# Every package but the Ginkgo suite ./scenarios (run by `make scenarios`);
# its helper package scenarios/match is unit-tested, like contract/.
PKGS      := $(shell $(GO) list ./... | grep -v '/scenarios$$')

ARGS      ?=

.PHONY: help run test unit fuzz fuzz-long scenarios lint bench build

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

# run builds, then execs the binary (not go run) so Ctrl+C reaches acsemu
# itself, which shuts down gracefully: make run ARGS="--tls --seed 7".
run: build ## start the emulator (ARGS="--tls --seed 7" passes flags to acsemu serve)
	exec ./bin/acsemu serve $(ARGS)

build: ## build bin/acsemu and bin/acsrec
	$(GO) build -o bin/ ./cmd/...

test: lint unit fuzz scenarios ## lint and every test

lint: ## gofmt, go vet, staticcheck
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

unit: ## unit tests (race detector)
	$(GO) test -race -count=1 $(PKGS)

# `make fuzz` (part of `make test`) gives each fuzz target a budget in
# executions, not time: time budgets (-fuzztime=10s) fail at random with
# "context deadline exceeded" and no input on Go 1.26, a Go fuzzing bug.
# FUZZCOUNT is the default count; FUZZCOUNT_<Target> overrides it for one
# target, chosen so that each runs a few seconds on a loaded 2-core machine.
# A crash found is written to the target's testdata/fuzz/<Target>/: commit it.
# `make fuzz-long` fuzzes each target for FUZZTIME instead, to search deeper.
FUZZCOUNT ?= 30000
FUZZTIME  ?= 60s
export FUZZCOUNT_FuzzMatch              ?= 60000
export FUZZCOUNT_FuzzVerify             ?= 60000
export FUZZCOUNT_FuzzParse              ?= 50000
export FUZZCOUNT_FuzzHandler            ?= 40000
export FUZZCOUNT_FuzzParseAuthorization ?= 250000
export FUZZCOUNT_FuzzJSPathAndQuery     ?= 50000

# fuzz-each runs every fuzz target for -fuzztime=$(1), a shell word that may use $$t.
define fuzz-each
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
	  dir=$$(dirname $$f); \
	  for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/^func //'); do \
	    budget=$(1); echo "fuzz $$dir $$t ($$budget)"; \
	    $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$$budget $$dir || exit 1; \
	  done; \
	done
endef

fuzz: ## each fuzz target for a count of executions (FUZZCOUNT, FUZZCOUNT_<Target>)
	$(call fuzz-each,$$(printenv FUZZCOUNT_$$t || echo $(FUZZCOUNT))x)

fuzz-long: ## each fuzz target for FUZZTIME (default 60s)
	$(call fuzz-each,$(FUZZTIME))

scenarios: ## the Ginkgo scenarios
	$(GO) tool ginkgo -p --race --procs=2 --timeout=20m ./scenarios

bench: ## benchmarks with ratios against their baselines
	$(GO) test -run='^$$' -bench=. -benchtime=3x ./emulator/benchmarks/
	$(GO) test -run='^$$' -bench=Verify -benchmem ./emulator/auth/
	$(GO) test -run='^$$' -bench=. -benchmem ./emulator/httprange/ ./emulator/media/
	$(GO) test -run='^$$' -bench=Download -benchtime=3x ./client/download/
	$(GO) test -run='^$$' -bench=JournalBytes -benchtime=1x ./emulator/journal/
	$(GO) test -run='^$$' -bench='Delivery|QueueMemory' -benchtime=2s ./emulator/eventgrid/
	$(GO) test -run='^$$' -bench='QueueRSS40' -benchtime=1x ./emulator/eventgrid/
	$(GO) test -run='^$$' -bench=Update -benchmem ./emulator/dashboard/  # one dashboard update; BenchmarkDownloadWithDashboardOpen (ratio) runs in the first line
