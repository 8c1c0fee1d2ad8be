// Command esmload measures kinesin's event source mappings (triggers/
// runner) with the stock aws-sdk-go-v2 Kinesis and Lambda clients as load
// generator, everything on one machine and kinesin in-process (on a
// temporary data directory), as bench/kinesisload does.
//
// Latency (-mode latency): a paced producer sends single-record PutRecord
// calls at each -rate for -duration into a fresh stream whose mapping has
// MaximumBatchingWindowInSeconds 0, and notes when each call returned. The
// function notes when its handler started:
//
//   - lambda: fn-lambda-udp, an aws-lambda-go bootstrap (provided.al2023),
//     sends (record id, handler start) pairs as UDP datagrams to the
//     address in its ESMLOAD_UDP variable;
//   - wasm: fn-wasm-log, a Go WebAssembly guest, prints "esmload ID NANOS"
//     lines (WASI wall clock). The event source mapping runner does not
//     publish its calls' output to the function logs endpoint, so esmload
//     takes the lines from the in-process server's logger, where the Wasm
//     engine logs every line a guest prints.
//
// Warm-up records run first, so no process start or compilation is
// measured. The table gives handler start − PutRecord acknowledged over
// every record: min/p50/p90/p99/max (negative when the handler started
// before the client had read its answer).
//
// Throughput (-mode throughput), for each wazero mode (-wasm: a server
// each) and each mapping BatchSize (-batch), with a no-op Wasm function
// (fn-wasm-noop), ParallelizationFactor 1 and TRIM_HORIZON:
//
//  1. baseline: -writers goroutines put -records records (PutRecords of
//     -per-request × -size random bytes) into a fresh stream of -shards
//     shards with no mapping: records/s;
//  2. drain: a mapping created on that stream, from
//     CreateEventSourceMapping until it processed every record: pure
//     consumption;
//  3. e2e: a mapping on a second fresh stream, then the same producer,
//     from the first put until every record was processed; e2e/baseline is
//     the ratio to the baseline measured just before.
//
// Progress is polled from /metrics (lambda_esm_ProcessedEventCount of the
// mapping); each phase then checks that the checkpoints
// (/kinesin/v1/event-source-mappings/{UUID}/shards) count every record.
// Producer retries are off, so failures are counted, not hidden. The CPU
// columns give the share of both cores the process used and records per
// CPU-second: on a shared machine, what a phase costs rather than what it
// got. -cpuprofile profiles the whole run, or with -profile-phase one
// throughput phase at a time; ESMLOAD_DEBUG=1 prints every poll.
//
//	go run ./bench/esmload                          # everything, 3–4 minutes
//	go run ./bench/esmload -mode latency -rate 1000,10000 -latency-runtimes lambda
//	go run ./bench/esmload -mode throughput -wasm uninterruptible -batch 10000 \
//		-cpuprofile cpu.out -profile-phase drain
//
// docs/PERFORMANCE.md records results.
package main
