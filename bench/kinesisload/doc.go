// Command kinesisload measures kinesin's Kinesis Data Streams data path with
// the stock aws-sdk-go-v2 client as load generator, everything on one machine
// and in one process:
//
//  1. baseline: the same writers against a fasthttp server that reads each
//     PutRecords body, stores nothing and answers a precomputed valid
//     response — the ceiling the client and HTTP stack allow on this machine;
//  2. ingest: the writers loop PutRecords (500 × 1 KiB random records, random
//     partition keys by default) into a fresh stream for the duration;
//  3. drain: one reader per shard reads everything back from TRIM_HORIZON
//     with GetRecords.
//
// Retries are off, so failed requests and records are counted, not hidden.
// With no --endpoint, kinesin is started in-process on a temporary data
// directory that is removed afterwards.
//
//	go run ./bench/kinesisload --writers 4 --shards 4 --duration 10s --json
//
// docs/PERFORMANCE.md records results.
package main
