// Package kinesis is the Kinesis Data Streams service (Kinesis_20131202)
// over JSON 1.1 and CBOR: request validation with AWS's error codes and
// messages, partition key routing, shard iterators, resharding, enhanced
// fan-out consumers and SubscribeToShard event streams, on top of the shard
// store. It registers its operations with the HTTP tier by X-Amz-Target.
package kinesis
