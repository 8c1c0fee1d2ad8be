package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Options says how to reach an S3-compatible server (ParseURL reads them
// from a URL).
type S3Options struct {
	// Endpoint is the server's base URL, scheme://host[:port]; empty means
	// AWS's S3 endpoint of Region.
	Endpoint string
	// Region is the signing region (empty: us-east-1).
	Region string
	// AccessKeyID and SecretAccessKey sign the requests. When both are
	// empty they come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
	// (with AWS_SESSION_TOKEN), else they are "test" and "test".
	AccessKeyID, SecretAccessKey string
	// PathStyle puts the bucket into the path rather than the host name.
	// Endpoints other than AWS's are always addressed path style.
	PathStyle bool
}

// DefaultRegion is the region of S3Options without one.
const DefaultRegion = "us-east-1"

// Multipart uploads: bodies above multipartThreshold go up in parts of
// partSize, up to partConcurrency at a time. S3 wants parts of at least
// 5 MiB (but the last) and at most 10,000 of them.
const (
	multipartThreshold = 64 << 20
	partSize           = 16 << 20
	partConcurrency    = 4
	// abortTimeout bounds the abort of a failed upload, which runs even
	// when the caller's context has ended.
	abortTimeout = 30 * time.Second
)

// S3 is the Store on an S3-compatible server.
type S3 struct {
	client *s3.Client
	// threshold and partSize are the multipart settings (tests lower them).
	threshold, partSize int
}

var _ Store = (*S3)(nil)

// NewS3 returns the Store that talks to the server o names. It makes no
// request: a wrong endpoint or credentials show in the first call.
func NewS3(o S3Options) (Store, error) {
	c, err := newS3Client(o)
	if err != nil {
		return nil, err
	}
	return &S3{client: c, threshold: multipartThreshold, partSize: partSize}, nil
}

// newS3Client builds the SDK client from o alone: no shared config files,
// no instance metadata, no region lookup.
func newS3Client(o S3Options) (*s3.Client, error) {
	region := o.Region
	if region == "" {
		region = DefaultRegion
	}
	key, secret, token := o.AccessKeyID, o.SecretAccessKey, ""
	switch {
	case key != "" && secret != "":
	case key != "" || secret != "":
		return nil, errors.New("objstore: s3: an access key ID needs a secret access key and the other way round")
	case os.Getenv("AWS_ACCESS_KEY_ID") != "" && os.Getenv("AWS_SECRET_ACCESS_KEY") != "":
		key, secret, token = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")
	default:
		key, secret = "test", "test"
	}
	opts := s3.Options{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token),
		// S3-compatible servers reject or mishandle the flexible checksums
		// the SDK sends by default (CRC32 trailers in aws-chunked bodies).
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		UsePathStyle:               o.PathStyle,
	}
	if o.Endpoint != "" {
		u, err := parseEndpoint(o.Endpoint)
		if err != nil {
			return nil, err
		}
		opts.BaseEndpoint = aws.String(u.String())
		if !isAWSHost(u.Hostname()) {
			opts.UsePathStyle = true
		}
	}
	return s3.New(opts), nil
}

// Put uploads body with PutObject, or as a multipart upload above 64 MiB.
func (s *S3) Put(ctx context.Context, bucket, key string, body []byte) error {
	if err := checkKey(bucket, key); err != nil {
		return err
	}
	if len(body) > s.threshold {
		if err := s.putMultipart(ctx, bucket, key, body); err != nil {
			return fmt.Errorf("objstore: put %s/%s: %w", bucket, key, err)
		}
		return nil
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return fmt.Errorf("objstore: put %s/%s: %w", bucket, key, err)
	}
	return nil
}

// putMultipart uploads body in parts, several at a time, and aborts the
// upload when a part fails so that the server drops the parts it has.
func (s *S3) putMultipart(ctx context.Context, bucket, key string, body []byte) error {
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		return err
	}
	size := max(s.partSize, (len(body)+9999)/10000)
	n := (len(body) + size - 1) / size
	parts := make([]types.CompletedPart, n)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, partConcurrency)
	)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-pctx.Done():
		}
		if pctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			part := body[i*size : min((i+1)*size, len(body))]
			num := int32(i + 1)
			out, err := s.client.UploadPart(pctx, &s3.UploadPartInput{
				Bucket:        aws.String(bucket),
				Key:           aws.String(key),
				UploadId:      up.UploadId,
				PartNumber:    aws.Int32(num),
				Body:          bytes.NewReader(part),
				ContentLength: aws.Int64(int64(len(part))),
			})
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("part %d: %w", num, err)
				}
				mu.Unlock()
				cancel()
				return
			}
			parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr == nil {
		_, firstErr = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket:          aws.String(bucket),
			Key:             aws.String(key),
			UploadId:        up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
		if firstErr == nil {
			return nil
		}
	}
	// Abort even when ctx ended, so that no parts are left behind.
	actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer acancel()
	_, _ = s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(bucket),
		Key:      aws.String(key),
		UploadId: up.UploadId,
	})
	return firstErr
}

// Get downloads the object.
func (s *S3) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	if err := checkKey(bucket, key); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		if notFound(err) {
			return nil, fmt.Errorf("objstore: get %s/%s: %w (%w)", bucket, key, ErrNotFound, err)
		}
		return nil, fmt.Errorf("objstore: get %s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := readBody(out.Body, out.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("objstore: get %s/%s: %w", bucket, key, err)
	}
	return b, nil
}

// readBody reads a response body of the announced length (nil: unknown)
// into a slice of that size, rather than growing one as io.ReadAll does.
func readBody(r io.Reader, length *int64) ([]byte, error) {
	if length == nil || *length < 0 || *length > 1<<40 {
		return io.ReadAll(r)
	}
	b := make([]byte, *length)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("body shorter than its %d bytes: %w", *length, err)
	}
	var one [1]byte
	if n, _ := r.Read(one[:]); n > 0 {
		return nil, fmt.Errorf("body longer than its %d bytes", *length)
	}
	return b, nil
}

// List pages through ListObjectsV2. A missing bucket is an error wrapping
// ErrNotFound.
func (s *S3) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	if bucket == "" {
		return nil, fmt.Errorf("%w: empty bucket name", ErrInvalidKey)
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	var keys []string
	for p := s3.NewListObjectsV2Paginator(s.client, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			if notFound(err) {
				return nil, fmt.Errorf("objstore: list %s/%s: %w (%w)", bucket, prefix, ErrNotFound, err)
			}
			return nil, fmt.Errorf("objstore: list %s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// notFound tells a missing object or bucket from other failures.
func notFound(err error) bool {
	var (
		nsk *types.NoSuchKey
		nsb *types.NoSuchBucket
		nf  *types.NotFound
	)
	if errors.As(err, &nsk) || errors.As(err, &nsb) || errors.As(err, &nf) {
		return true
	}
	// A 404 alone may come from a proxy in front of a wrong endpoint: only
	// S3's error codes say that the object is missing.
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NoSuchBucket", "NotFound":
			return true
		}
	}
	return false
}
