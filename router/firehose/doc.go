// Package firehose serves Amazon Data Firehose (Firehose_20150804, JSON
// 1.1) on kinesin's HTTP tier: delivery streams with direct PUT sources and
// S3 destinations, delivered by sinks/delivery to sinks/s3 and the other destinations.
//
// Delivery stream configurations live in the JetStream KV bucket
// kinesin_firehose (updated by compare-and-set, so several kinesin
// processes share them). Each delivery stream's records are appended to
// its own JetStream stream (FH_<name>, subject kinesin.fh.<name>), one
// message per PutRecord or PutRecordBatch call, before the call answers:
// an acknowledged record is a stored record. Every process watches the
// bucket and runs one delivery loop per ACTIVE delivery stream; the loops
// share a durable pull consumer, so each stored batch is delivered by one
// process, at least once.
package firehose
