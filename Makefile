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

# ---- containers (issue 13): the image, its module's tests, every suite against it ----
# IMAGE is the tag `make image` builds and the container suites run.
IMAGE  ?= acsemu:dev
DOCKER ?= docker
# Nothing is pulled: the reaper image (Ryuk) is not available offline, and
# every test terminates its own containers.
CONTAINER_ENV := ACSEMU_TEST_IMAGE=$(IMAGE) TESTCONTAINERS_RYUK_DISABLED=$${TESTCONTAINERS_RYUK_DISABLED:-true}

.PHONY: image containers bench-image

# The binary is built on the host (static, CGO_ENABLED=0) into a context that
# holds only it; the Dockerfile copies it into a scratch image.
image:
	rm -rf .image && mkdir -p .image
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o .image/acsemu ./cmd/acsemu
	$(DOCKER) build -q -t $(IMAGE) -f Dockerfile .image

test: containers

# Runs when a Docker engine answers; otherwise says so loudly and passes,
# unless ACSEMU_REQUIRE_DOCKER=1 (CI), where a missing engine fails.
containers:
	@if ! $(DOCKER) info >/dev/null 2>&1; then \
	  echo "########################################################################"; \
	  echo "## SKIPPED the container suites: no Docker engine answers.            ##"; \
	  echo "## Start one (see README, Containers) and run make containers.        ##"; \
	  echo "########################################################################"; \
	  test "$${ACSEMU_REQUIRE_DOCKER:-0}" != 1 || { echo "ACSEMU_REQUIRE_DOCKER=1: failing"; exit 1; }; \
	  exit 0; \
	fi; \
	set -e; $(MAKE) image; \
	$(CONTAINER_ENV) $(GO) test -race -count=1 ./emulator/acsemu/; \
	$(CONTAINER_ENV) $(GO) tool ginkgo -p --race --procs=2 --timeout=20m ./scenarios

bench: bench-image

# Image size and cold start (container start -> /_emulator/health answers),
# against an in-process emulator's start in the same run.
bench-image: image
	$(CONTAINER_ENV) $(GO) test -run='^$$' -bench=ColdStart -benchtime=5x ./emulator/acsemu/
