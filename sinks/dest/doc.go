// Package dest is the contract between the Firehose delivery loop and its
// destinations (S3, HTTP endpoint, OpenSearch, Splunk, PostgreSQL, a
// kinesin stream).
//
// The loop (sinks/delivery) pulls stored records, processes them
// (sinks/process), groups them into buffers — one per destination
// partition — and hands each full buffer to a Destination as a Batch.
// A Destination delivers the batch, retrying as its configuration says
// (Retry), and answers the records it finally gave up on as Failures; the
// loop writes those to the S3 backup's error output and then acknowledges
// the batch. An error from Deliver means "neither delivered nor given up
// on": the loop keeps the records unacknowledged and tries again later.
//
// The configuration members several destinations share (BufferingHints,
// RetryOptions, SecretsManagerConfiguration) are declared here once, with
// their merging (UpdateDestination), defaults and model checks; each
// destination keeps its own defaults and limits.
package dest
