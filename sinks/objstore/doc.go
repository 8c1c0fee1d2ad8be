// Package objstore is where Firehose writes its S3 objects (deliveries,
// error output, backups): a Store that puts, gets and lists objects by
// bucket and key, kept either on the local filesystem or in any
// S3-compatible object store.
//
// NewFS keeps object bucket/key in the file <data-dir>/s3/<bucket>/<key>.
// Each object is written to a temporary file beside its final name, synced
// and renamed into place, so a reader never sees half an object. Keys that
// could leave the bucket's directory (a "." or ".." segment, an empty
// segment as in a leading, trailing or doubled "/", a NUL byte) or that
// name the store's temporary files (a segment starting with ".tmp-") are
// rejected with ErrInvalidKey.
//
// NewS3 writes through the S3 API (aws-sdk-go-v2) to AWS or to any
// S3-compatible server (MinIO, versitygw, Ceph RGW, ...). It signs with
// static credentials, never looks up a region or a credentials chain, and
// sends checksums only where the API requires them, which S3-compatible
// servers accept. Bodies above 64 MiB go up as a multipart upload.
//
// # S3 endpoint URLs
//
// ParseURL reads the S3 endpoint as `kinesin serve --s3-endpoint URL` and a
// destination's endpoint setting take it:
//
//	http://127.0.0.1:7070
//	http://ACCESS_KEY_ID:SECRET_ACCESS_KEY@127.0.0.1:7070?region=us-east-1
//	https://minio.example.com:9000
//	https://s3.eu-west-1.amazonaws.com
//	https://s3.amazonaws.com?region=eu-west-1&path-style=true
//
// The scheme is http or https. The user and password, when given, are the
// access key ID and the secret access key (percent-encode characters such
// as "/" or "@" in them); without them the credentials come from the
// environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, or are "test"/"test" when those are not set, which is
// what local S3-compatible servers in test setups usually accept. The URL
// has no path. The query parameters are:
//
//   - region: the signing region (default: the region named by an AWS host
//     such as s3.eu-west-1.amazonaws.com, else us-east-1).
//   - path-style: true or false; whether the bucket goes into the path
//     (http://host/bucket/key) rather than into the host name
//     (http://bucket.host/key). Only AWS hosts (*.amazonaws.com) are
//     addressed virtual-hosted style by default and may say false; every
//     other server is addressed path style, which they all support, so
//     that neither DNS names per bucket nor wildcard certificates are
//     needed.
//
// Unknown query parameters are an error, so a misspelt setting does not go
// unnoticed.
package objstore
