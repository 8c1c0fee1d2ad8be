// Package video serves the Amazon Kinesis Video Streams API: the control
// plane (CreateStream, DescribeStream, ListStreams, UpdateStream,
// UpdateDataRetention, DeleteStream, the tag operations and
// GetDataEndpoint) and the media data plane (PutMedia, GetMedia,
// ListFragments, GetMediaForFragmentList).
//
// Every KinesisVideo API is REST-JSON: POST /<operationName> with a JSON
// body, errors as an x-amzn-ErrorType header and a {"Message": …} body
// (RESTError, which the other video packages answer with too).
//
// Stream metadata lives in the JetStream KV bucket kinesin_video_streams, one
// record per stream name; the media is in router/videostore under an id
// chosen at creation, so that a stream deleted and created again under the
// same name starts empty. Any kinesin process serves any stream.
//
// PutMedia reads the upload one fragment (MKV cluster) at a time and
// answers with a chunked stream of acknowledgements, one JSON object per
// line: BUFFERING when a fragment's first bytes arrive, RECEIVED once it has
// been read whole, PERSISTED once videostore holds it durably, IDLE every
// few seconds of silence, ERROR (with AWS's ErrorId) before the session
// ends. Reading the next fragment does not wait for the previous one to be
// stored; appends stay in order. After an ERROR the session ends with the
// rest of the upload unread, so a PutMedia response says Connection: close
// (one session per connection, as AWS serves it); the stream itself takes a
// new session at once.
//
// GetMedia writes one MKV chunk per fragment (EBML header, Segment, the
// AWS_KINESISVIDEO_* tags, the cluster) and follows the stream live; when
// it has caught up it sends, every few seconds, a chunk of tags only that
// carries the continuation token.
//
// Limits: at most 10,000 streams per account (AWS's default quota of
// streams per account and region), 50 tags per stream, retention up to
// 87,600 hours. Request-rate limits (ClientLimitExceededException) are not
// enforced.
package video
