// Package s3 is Firehose's S3 destination: it turns a buffer of records
// into one object — converted to Parquet when the delivery stream asks for
// record format conversion, compressed, named as Firehose names objects
// (sinks/keys) with the dynamic-partitioning keys in the prefix — and puts
// it through an object store (sinks/objstore: the data directory or any
// S3-compatible endpoint). It also writes the error output: failure
// documents grouped by error-output-type under the rendered
// ErrorOutputPrefix, for its own failures and, as the S3 backup of other
// destinations, theirs.
//
// S3 writes are retried with backoff until they succeed or the delivery
// loop stops (Firehose retries S3 for up to 24 hours); records are never
// given up on because S3 is unavailable.
package s3
