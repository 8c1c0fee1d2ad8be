// Package s3fs delivers a Firehose delivery stream's records to the
// embedded S3 stand-in: a directory tree <dir>/s3/<bucket>/<key> on the
// local filesystem.
//
// A delivery loop pulls stored record batches from a JetStream durable pull
// consumer, buffers them until the size or the interval hint is reached
// (whichever comes first), writes one object (records concatenated as they
// came, compressed if configured) to a temporary file that it renames into
// place, and only then acknowledges the messages. A crash after the write
// and before the acknowledgements loses nothing but delivers those records
// again in a later object: delivery is at least once, as in AWS.
//
// Several kinesin processes may run a loop for the same delivery stream:
// they share the durable consumer, so each stored batch goes to one of
// them (each then buffers its own share).
package s3fs
