# The targets the README and CI use. `make test` is the one command that
# runs every test: Go unit tests, the Rego unit tests (through OPA's tester),
# the golden files and the CLI scripts.

GO      ?= go
BIN     ?= bin/dorgu-gen
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: build test vet golden render clean bench

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/dorgu-gen

test: vet
	$(GO) test ./...

# The README documents macOS and Windows too: vet the module for them as
# well, so that an unguarded Unix-only call fails here, not at a user's.
CROSS_GOOS ?= darwin windows

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@for os in $(CROSS_GOOS); do \
		echo "GOOS=$$os $(GO) vet ./..."; \
		GOOS=$$os $(GO) vet ./... || exit 1; \
	done

# Regenerate the golden files after an intended change; review the diff.
golden:
	$(GO) test ./internal/pipeline/ -run TestGolden -update

# Render the embedded default stack into ./infra-gitops.
render:
	$(GO) run ./cmd/dorgu-gen render

# Compare dorgu-gen with cue export + conftest test (bench/compare.sh);
# installs the pinned cue and conftest into bench/.tools the first time.
bench:
	bash bench/compare.sh

clean:
	rm -rf bin infra-gitops
