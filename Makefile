# Targets the README and CI use. `make test` is what .ci/run runs.
GO ?= go

.PHONY: test bench serve build

# Unit, integration (in-process servers) and AWS CLI tests; fuzz targets run
# their seed corpora as part of go test.
test:
	$(GO) test -timeout 10m ./...

# The end-to-end load benchmark (in-process kinesin, see docs/PERFORMANCE.md),
# then the micro-benchmarks of the hot-path packages.
bench:
	$(GO) run ./bench/kinesisload
	$(GO) test -run '^$$' -bench . -benchtime 200ms -benchmem -timeout 15m ./router/... ./internal/...

serve:
	$(GO) run ./cmd/kinesin serve

build:
	$(GO) build -o bin/kinesin ./cmd/kinesin
