// Package delivery is a Firehose delivery stream's delivery loop. It pulls
// the stream's stored record batches from a JetStream consumer, runs them
// through record processing (sinks/process), groups the results into
// buffers — one per dynamic partition — and hands each buffer to the
// destination (sinks/dest) once it reaches the size hint or has waited the
// interval hint, whichever comes first.
//
// Acknowledgement: a stored message is acknowledged only when every record
// that came from it is delivered or written to the error output, so a crash
// at any point loses nothing; JetStream hands the unacknowledged messages to
// the next loop (duplicates are possible, as with Firehose). While records
// wait in buffers or in destination retries, the loop tells JetStream they
// are still in progress.
//
// Several buffers are delivered at once (Config.Concurrency) while the loop
// goes on reading, so compression and writes overlap with fetching.
package delivery
