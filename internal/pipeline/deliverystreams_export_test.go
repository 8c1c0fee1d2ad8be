package pipeline

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
)

// DescribeRaw answers DescribeDeliveryStream's JSON as the server sent it,
// with the members the SDK's types drop (Columns).
func DescribeRaw(ctx context.Context, c *firehose.Client, name string) ([]byte, error) {
	var raw []byte
	_, err := c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)}, keepRawBody(&raw))
	return raw, err
}
