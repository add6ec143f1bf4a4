# acsemu — make run starts the emulator, make test runs every test.
GO        ?= go
FUZZTIME  ?= 10s
PKGS      := $(shell $(GO) list ./... | grep -v /scenarios)

.PHONY: run test unit fuzz scenarios lint bench build

run:
	$(GO) run ./cmd/acsemu serve

build:
	$(GO) build -o bin/ ./cmd/...

test: lint unit fuzz scenarios

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

unit:
	$(GO) test -race -count=1 $(PKGS)

# Each fuzz target runs for a short fixed time (go test -fuzz takes one target at a time).
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
	  dir=$$(dirname $$f); \
	  for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/^func //'); do \
	    echo "fuzz $$dir $$t ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$dir || exit 1; \
	  done; \
	done

scenarios:
	$(GO) tool ginkgo -p --race --procs=2 --timeout=20m ./scenarios

bench:
	$(GO) test -run='^$$' -bench=. -benchtime=3x ./emulator/benchmarks/
	$(GO) test -run='^$$' -bench=Verify -benchmem ./emulator/auth/
	$(GO) test -run='^$$' -bench=. -benchmem ./emulator/httprange/ ./emulator/media/
	$(GO) test -run='^$$' -bench=Download -benchtime=3x ./client/download/
	$(GO) test -run='^$$' -bench='Delivery|QueueMemory' -benchtime=2s ./emulator/eventgrid/
	$(GO) test -run='^$$' -bench=Update -benchmem ./emulator/dashboard/  # one dashboard update; BenchmarkDownloadWithDashboardOpen (ratio) runs in the first line
