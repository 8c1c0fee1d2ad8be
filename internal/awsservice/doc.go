// Package awsservice is the plumbing the JSON 1.1 services of the HTTP
// tier (X-Amz-Target operations such as Firehose_20150804 and
// KinesisAnalytics_20150814) share: decoding a request and running its
// constraint checks, dispatching on the operation name, answering results
// and catalogue errors, and the tag operations' list edits. A service
// keeps only what is its own: its operations, shapes and error kinds.
package awsservice
