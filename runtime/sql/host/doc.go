// Package host runs one Kinesis Data Analytics (SQL) application: it reads
// the application's input (a Kinesis stream or a Firehose delivery
// stream), turns records into rows of the in-application input streams
// (records.Parser), feeds them to the compiled application
// (runtime/sql/engine), and writes the rows of the in-application streams
// named by the application's outputs to Kinesis streams, Firehose delivery
// streams or Lambda functions (records.Formatter).
//
// Exactly one process runs an application at a time: Run holds a lease in
// the lease bucket (triggers/lease) and stops when it loses it.
//
// Inputs are read as an event source mapping reads a stream
// (triggers/reader.ReadShard on every shard, parents before children,
// reader.Lineage), but all shards are read by the one process holding the
// application's lease, and positions are not kept in the mapping
// checkpoints: they are part of the application's checkpoint. With
// InputParallelism Count N the input has N in-application streams
// NamePrefix_001 … NamePrefix_00N; shard i feeds stream i mod N.
// ROWTIME is the processing time, never going backwards per
// in-application stream (and across restarts).
//
// A Firehose delivery stream input is read from the delivery stream's
// record stream (router/firehose StreamName) by a durable consumer of the
// application (acknowledged only once a checkpoint covers what it
// delivered). Record streams are kept by interest, so a batch stays until
// both the delivery loop and every application reading it have
// acknowledged it; the application's consumer sees the batches stored
// after it was first made. A record stream made by an older kinesin is a
// work queue, which admits no second consumer: Run logs that and keeps
// trying (recreate the delivery stream to read it).
//
// Every TimeUnit (a second) Run advances the engine to the wall clock
// (windows close even when no rows arrive), sends every output row
// produced so far, and then stores a checkpoint: the engine snapshot, the
// position reached in every shard and the ROWTIME high-water marks, in the
// JetStream KV bucket CheckpointBucket (the snapshot in the object store
// StateBucket when it is large). Because the outputs are flushed before
// the checkpoint is written, an application stopped and started again with
// LAST_STOPPED_POINT (or restarted after a crash within the same run, see
// Config.RunID) neither loses nor doubles a window result; after a crash,
// rows sent after the last checkpoint are sent again (at-least-once, as
// AWS documents for application output).
//
// Outputs retry failed records with backoff for as long as it takes, as
// AWS does ("continues to try indefinitely", which back-pressures the
// application). A Lambda output receives the KinesisAnalyticsOutputDeliveryEvent
// shape (recordId, lambdaDeliveryRecordMetadata.retryHint, data) and
// answers Ok or DeliveryFailed per record; failed records go again with a
// higher retryHint. An InputLambdaProcessor receives the
// KinesisAnalyticsStreamsInputPreprocessingEvent (or the Firehose variant)
// and answers Ok, Dropped or ProcessingFailed per record.
//
// Records that fail to parse, and records a preprocessing function
// reports ProcessingFailed, become rows of error_stream (sent to an output
// configured for error_stream), as AWS reports them.
package host
