// Package kinesisdest is kinesin's Firehose destination "a kinesin
// stream": it delivers a delivery stream's records into a Kinesis data
// stream of the same kinesin, with PutRecords. AWS has no such
// destination; its configuration, KinesisStreamDestinationConfiguration,
// is kinesin's own and is shaped like AWS's other destinations
// (BufferingHints, RetryOptions, S3BackupMode, S3Configuration, …).
//
// Every record becomes one Kinesis record with the record's data as it
// is after processing. Its partition key is PartitionKey when the
// configuration gives one — every record then goes to the same shard, in
// order — and otherwise the Firehose record ID, which spreads records
// over the stream's shards by hash.
//
// Records are sent in PutRecords requests of at most 500 records and
// 5 MiB. Entries the stream refuses one by one
// (ProvisionedThroughputExceededException, InternalFailure) are sent
// again, alone, with Firehose's backoff until RetryOptions.DurationInSeconds
// has passed; so is the whole request when the stream is missing
// (ResourceNotFoundException: it may be created again). A record the
// stream cannot take at all (larger than its maximum record size) fails
// at once. Records given up on go to the S3 backup's error output with
// the Kinesis error code, under the error output type
// "kinesis-stream-failed".
//
// The destination reaches the stream through a Putter (NewWith); the
// router's Kinesis service is one (ServicePutter).
package kinesisdest
