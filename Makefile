# Targets the README and CI use. `make test` is what .ci/run runs.
GO ?= go

.PHONY: test tools bench serve build

# Unit, integration (in-process servers) and AWS CLI tests; fuzz targets run
# their seed corpora as part of go test.
test: tools
	$(GO) test -timeout 10m ./...

# Go-installed servers the tests start: versitygw (S3-compatible) into
# $(go env GOPATH)/bin, where internal/s3test finds it.
tools:
	@test -x "$$($(GO) env GOPATH)/bin/versitygw" || command -v versitygw >/dev/null || \
		$(GO) install github.com/versity/versitygw/cmd/versitygw@v1.8.0

# The end-to-end load benchmark (in-process kinesin, see docs/PERFORMANCE.md),
# then the micro-benchmarks of the hot-path packages.
bench:
	$(GO) run ./bench/kinesisload
	$(GO) test -run '^$$' -bench . -benchtime 200ms -benchmem -timeout 15m ./router/... ./internal/...

serve:
	$(GO) run ./cmd/kinesin serve

build:
	$(GO) build -o bin/kinesin ./cmd/kinesin
