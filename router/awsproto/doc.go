// Package awsproto holds the AWS wire encodings the HTTP tier speaks for
// JSON-RPC style services (awsJson1_1 and its CBOR twin that the Java SDKs
// and the KCL send by default): request decoding into typed structs,
// response and error encoding in the request's own encoding, the timestamp
// and blob conventions of each, and the event stream framing used by
// SubscribeToShard.
package awsproto
