# Tiltas. A new user needs two commands: `make demo` and `make test`.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X tiltas/agent.Version=$(VERSION) -X tiltas/cloud/version.Version=$(VERSION)
GO ?= go

.PHONY: build test bench demo vet mariadb deps clean dist dist-check

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./agent/cmd/tiltas-agent ./cloud/cmd/tiltas-cloud ./possim/cmd/tiltas-possim ./cloud/market/cmd/tiltas-marketfakes

mariadb:
	@bash scripts/mariadb.sh

deps:
	@bash scripts/deps.sh

# vet also fails when go.mod or go.sum is not what `go mod tidy` would write.
vet:
	@$(GO) mod tidy -diff || { echo "make vet: go.mod/go.sum are not tidy (the diff is above): run 'go mod tidy' and commit them; or a module could not be fetched (see above)" >&2; exit 1; }
	$(GO) vet ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./agent/... ./shared/...

# Every test. MariaDB is started (or installed) first: tests that need it fail, never skip.
test: mariadb deps vet
	$(GO) test -count=1 -timeout 20m ./...

# Go benchmarks, then the pipeline benchmark's table (end to end beside the raw limits).
bench: mariadb build
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...
	$(GO) run ./bench/pipeline

# The whole system on this machine; Ctrl-C stops it. POS=unicenta sells into uniCenta oPOS.
POS ?= reference
demo: mariadb build
	@POS=$(POS) bash scripts/demo.sh

# Release artefacts in dist/: binaries for linux/amd64, linux/arm64, windows/amd64, .deb, .msi.
dist:
	@bash scripts/deps.sh dist
	bash scripts/dist.sh

dist-check: dist
	bash scripts/dist-check.sh

clean:
	rm -rf bin dist .demo .bench
