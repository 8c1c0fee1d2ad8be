// Package mappings is the event source mapping resource: its configuration
// as Lambda's API returns it (EventSourceMappingConfiguration), its storage
// in the JetStream KV bucket kinesin_mappings (compare-and-set, shared by
// every kinesin process on one NATS deployment), and the Lambda REST
// operations on /2015-03-31/event-source-mappings (Create, Get, List,
// Update, Delete) with Lambda's validation and error texts.
//
// The API only records intent: it stores a mapping in a transitional state
// (Creating, Updating, Enabling, Disabling, Deleting) and a runner
// (triggers/runner) in some kinesin process moves it to Enabled or
// Disabled, or removes it, and does the reading. What the API needs from the
// runner — the starting checkpoints of a new mapping, each shard's progress
// for `kinesin mappings describe` — it gets through the Runner interface.
//
// Beyond Lambda, a mapping's source may be a Kinesis Video stream
// (arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_TIME, resolved
// through Config.VideoStreams): Mapping.Video is then set, BatchSize
// defaults to 10, ParallelizationFactor above 1 and tumbling windows are
// refused, and filters apply to the whole event record
// (filter.CompileRecord).
package mappings
