// Package shardstore keeps Kinesis streams on JetStream. Every shard is its
// own JetStream stream, so a NATS cluster spreads shards across its nodes;
// the records of one request that land in one shard are stored as one
// message (a record batch), so ingest costs one append per shard per
// request. Stream metadata (shards, hash ranges, lineage, tags, consumers)
// lives in a JetStream KV bucket and is updated with compare-and-set, so any
// number of stateless kinesin processes can share one NATS cluster.
//
// Sequence numbers encode (shard index, JetStream message sequence, index in
// the batch): unique and increasing within a shard, and greater in a child
// shard than anywhere in its parents because children get higher indexes.
package shardstore
