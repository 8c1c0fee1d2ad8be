// Package runner executes event source mappings: in every kinesin process a
// Runner watches the mappings (triggers/mappings), settles their
// transitional states, takes a fair share of their shards through leases
// (triggers/lease) and runs one worker per shard it holds.
//
// A worker reads its shard from the mapping's checkpoint with
// triggers/reader (pushed, never polling), drops records no filter matches
// (triggers/filter), and hands the rest to the function in batches — up to
// ParallelizationFactor batches at once, split by partition key so records
// of one key stay in order — with Lambda's failure handling: retries with
// backoff (MaximumRetryAttempts), bisection on function errors
// (BisectBatchOnFunctionError, halving does not use up retries), partial
// batch responses (ReportBatchItemFailures: retry from the lowest failed
// sequence number), record age expiry (MaximumRecordAgeInSeconds, and the
// stream's retention), and an on-failure record sent to a Kinesis stream
// when a batch is given up. Throttles and platform errors are retried
// without counting against MaximumRetryAttempts. Tumbling windows carry the
// function's state between calls in the checkpoint and end with a final
// call (isFinalInvokeForWindow), or early when the state passes 1 MB.
//
// A batch's checkpoint is written (compare-and-set) only after every record
// in it succeeded or was given up on, so a crash or a lease moving to
// another process re-delivers at most the batches in flight: at least once,
// never skipping. A shard's children start only after it is finished.
//
// A mapping of a Kinesis Video stream (kinesin's extension) runs the same
// worker over another source: the stream is one "shard" (one lease, one
// checkpoint whose position is the next fragment's seq) followed with
// videostore's Follow, pushed as fragments are stored; each fragment
// becomes a record whose sequence number is its fragment number and whose
// data is its event record (what filters see), and a batch is one JSON
// event {"Records":[…]} passed to Functions.Invoke (docs/mappings.md has
// its shape). Retries, bisection, partial batch responses, on-failure
// records (with KinesisVideoBatchInfo), metrics and logs are the Kinesis
// worker's. The source interface (source.go) is the seam between them.
package runner
