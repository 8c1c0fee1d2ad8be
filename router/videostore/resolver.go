package videostore

import (
	"context"
	"time"
)

// StreamRef is what the data-plane services need to know about a video
// stream: its storage id and its public identity.
type StreamRef struct {
	ID, Name, ARN, MediaType, Status string
	Retention                        time.Duration // DataRetentionInHours
}

// Resolver finds a stream by name or ARN (exactly one given; both given
// must agree). Errors are *awserr.Error: ResourceNotFoundException (404),
// InvalidArgumentException (400), as the data-plane APIs answer them.
// router/video implements it.
type Resolver interface {
	Resolve(ctx context.Context, name, arn string) (StreamRef, error)
}
