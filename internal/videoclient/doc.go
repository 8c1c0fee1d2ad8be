// Package videoclient is a Go client of the Kinesis Video Streams data
// plane as kinesin serves it: PutMedia (a chunked MKV upload answered by a
// stream of acknowledgements on the same connection), GetMedia, and any
// other REST-JSON operation by name. The AWS SDK for Go has no data-plane
// clients for Kinesis Video, so the CLI, the tests and the benchmarks use
// this one; it speaks AWS's wire, so it works against AWS endpoints too
// (requests are not signed).
package videoclient
