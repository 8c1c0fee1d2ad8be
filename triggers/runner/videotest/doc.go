// Package videotest holds the end-to-end tests of event source mappings
// whose source is a Kinesis Video stream: fragments appended to a real
// fragment store (router/videostore) on a test NATS server reach a real
// WebAssembly function (../testdata/videoprobe) through the mapping API,
// the runner, its leases and its checkpoints. It is a package of its own
// so that it needs only those packages, not a whole kinesin server.
package videotest
