package objstore

import (
	"context"
	"errors"
	"fmt"
)

// Store keeps objects by bucket and key. Its methods are safe for
// concurrent use.
type Store interface {
	// Put stores body as bucket/key, replacing any object of that key.
	// Readers see either the old object or the whole new one.
	Put(ctx context.Context, bucket, key string, body []byte) error
	// Get answers the object bucket/key, or an error wrapping ErrNotFound
	// when there is no such object (or no such bucket).
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	// List answers the keys in bucket that start with prefix, sorted
	// bytewise as S3 sorts them. A bucket that does not exist has no keys
	// on the filesystem and is an error wrapping ErrNotFound on S3.
	List(ctx context.Context, bucket, prefix string) ([]string, error)
}

var (
	// ErrNotFound is wrapped by Get's error when the object (or its
	// bucket) does not exist.
	ErrNotFound = errors.New("objstore: not found")
	// ErrInvalidKey is wrapped by the error for a key or bucket name the
	// store cannot hold (see the package documentation).
	ErrInvalidKey = errors.New("objstore: invalid key")
)

// maxKeyBytes is S3's limit on the length of an object key.
const maxKeyBytes = 1024

// checkKey applies the rules every store shares.
func checkKey(bucket, key string) error {
	switch {
	case bucket == "":
		return fmt.Errorf("%w: empty bucket name", ErrInvalidKey)
	case key == "":
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	case len(key) > maxKeyBytes:
		return fmt.Errorf("%w: key of %d bytes, more than %d", ErrInvalidKey, len(key), maxKeyBytes)
	}
	return nil
}
