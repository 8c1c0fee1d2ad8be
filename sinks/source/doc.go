// Package source feeds a delivery stream of type KinesisStreamAsSource from
// its Kinesis stream: Run reads every shard of the stream (a
// router/shardstore stream) and appends the records' data, as they are,
// to the delivery stream's own record store through Config.Append.
//
// It is the Firehose counterpart of an event source mapping and is built
// from the same parts: triggers/reader reads each shard (pushed, never
// polling) and keeps per-shard checkpoints with compare-and-set,
// reader.Lineage starts a child shard only once its parents are read to
// their end, and triggers/lease shares the shards between the kinesin
// processes that run the same delivery stream. A shard's checkpoint moves
// only after Append returned, so every record is appended at least once,
// in order within its shard and parents before children; without a crash
// or a lease moving mid-batch, exactly once.
//
// As Amazon Data Firehose does, a new delivery stream reads records from
// its DeliveryStartTimestamp on (AWS sets it to the creation time: Firehose
// "starts reading data from the LATEST position" of the stream when it is
// created); records that arrived before it are never appended.
//
// Checkpoints live in reader.CheckpointBucket under the id MappingID(name),
// leases in lease.Bucket under LeasePrefix(name); Delete removes both.
package source
