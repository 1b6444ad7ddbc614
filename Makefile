# The targets the README and CI use. `make test` is the one command that
# runs every test: Go unit tests, the Rego unit tests (through OPA's tester),
# the golden files and the CLI scripts.

GO      ?= go
BIN     ?= bin/dorgu-gen
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: build test vet lint golden render clean bench

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/dorgu-gen

test: vet
	$(GO) test ./...

# The README documents macOS and Windows too: vet the module for them as
# well, so that an unguarded Unix-only call fails here, not at a user's.
CROSS_GOOS ?= darwin windows

vet: lint
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@for os in $(CROSS_GOOS); do \
		echo "GOOS=$$os $(GO) vet ./..."; \
		GOOS=$$os $(GO) vet ./... || exit 1; \
	done

# The linters, pinned: golangci-lint with .golangci.yaml, and the CUE and
# Rego formatters at the versions go.mod builds dorgu-gen with. Each is
# installed with `go install` into .tools (gitignored) the first time, so
# a fresh clone needs only Go and the module proxy.
TOOLS                 := $(CURDIR)/.tools
GOLANGCI_LINT_VERSION := v2.15.0
CUE_VERSION           := $(shell $(GO) list -m -f '{{.Version}}' cuelang.org/go)
OPA_VERSION           := $(shell $(GO) list -m -f '{{.Version}}' github.com/open-policy-agent/opa)

lint: $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION) $(TOOLS)/cue-$(CUE_VERSION) $(TOOLS)/opa-$(OPA_VERSION)
	$(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION) run ./...
	$(TOOLS)/cue-$(CUE_VERSION) fmt --check --files schema components internal/starter/files bench/cue
	@out=$$($(TOOLS)/opa-$(OPA_VERSION) fmt --list policies bench/conftest-policy); \
	if [ -n "$$out" ]; then echo "opa fmt would change:"; echo "$$out"; exit 1; fi

# A versioned name per tool, so that changing a pin installs the new one.
$(TOOLS)/golangci-lint-%:
	GOBIN=$(TOOLS)/tmp-$* $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$*
	mv $(TOOLS)/tmp-$*/golangci-lint $@ && rmdir $(TOOLS)/tmp-$*
$(TOOLS)/cue-%:
	GOBIN=$(TOOLS)/tmp-$* $(GO) install cuelang.org/go/cmd/cue@$*
	mv $(TOOLS)/tmp-$*/cue $@ && rmdir $(TOOLS)/tmp-$*
$(TOOLS)/opa-%:
	GOBIN=$(TOOLS)/tmp-$* $(GO) install github.com/open-policy-agent/opa@$*
	mv $(TOOLS)/tmp-$*/opa $@ && rmdir $(TOOLS)/tmp-$*

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
