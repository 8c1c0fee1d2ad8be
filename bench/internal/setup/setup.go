// Package setup prepares what the bench programs measure against: streams
// created through the public API and waited for.
package setup

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// CreateStream creates stream with shards shards and polls until it is
// ACTIVE.
func CreateStream(ctx context.Context, c *kinesis.Client, stream string, shards int) error {
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &stream, ShardCount: aws.Int32(int32(shards))})
	if err != nil {
		return fmt.Errorf("CreateStream: %w", err)
	}
	w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: &stream}, 2*time.Minute); err != nil {
		return fmt.Errorf("waiting for %s to be ACTIVE: %w", stream, err)
	}
	return nil
}
