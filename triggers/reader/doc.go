// Package reader is the per-shard core of a Kinesis event source mapping:
// it reads one shard of a router/shardstore stream from a position, cuts
// the records into batches as Lambda does (BatchSize records, the 6 MB
// payload cap, or MaximumBatchingWindow after the first record, whichever
// comes first), and hands each batch to a deliver function in order.
//
// Readers are pushed, never polling: once caught up, ReadShard sleeps on
// the shard's append signal (shardstore.Store.Watch) and on metadata
// changes (shardstore.Store.Changed), so a record is delivered as soon as
// its append is acknowledged and a seal is noticed at once. ReadShard
// returns End when the shard is closed, sealed and read to its last
// record; Lineage then says which children may start (a child only after
// all its parents are finished, so records of one partition key are never
// reordered across a split or merge).
//
// Checkpoints keeps, in a JetStream KV bucket, the position reached and a
// finished flag per (mapping UUID, shard), updated with compare-and-set so
// two processes cannot both advance one shard.
package reader
