package objstore

import "github.com/aws/aws-sdk-go-v2/service/s3"

// NewS3Parts is NewS3 with the multipart threshold and part size given, so
// that tests upload parts without 64 MiB bodies.
func NewS3Parts(o S3Options, threshold, partSize int) (Store, error) {
	st, err := NewS3(o)
	if err != nil {
		return nil, err
	}
	s := st.(*S3)
	s.threshold, s.partSize = threshold, partSize
	return s, nil
}

// ClientOptions are the SDK client options NewS3 builds from o.
func ClientOptions(o S3Options) (s3.Options, error) {
	c, err := newS3Client(o)
	if err != nil {
		return s3.Options{}, err
	}
	return c.Options(), nil
}
