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
package runner
