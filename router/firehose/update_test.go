package firehose_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	fh "github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/kinesin/kinesin/internal/testutil"
)

// TestUpdateDestination changes the prefix and compression of a live
// delivery stream: the version goes up, later objects carry the new
// version in their names and the new layout, and stale versions, wrong
// destination ids and a change of destination kind are refused.
func TestUpdateDestination(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create("u", s3conf("b", 1, 5, ""))
	h.putAll("u", "one")
	testutil.Eventually(t, 10*time.Second, "first object", func() bool { return len(h.objects("b")) == 1 })
	d, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("u")})
	if err != nil {
		t.Fatal(err)
	}
	desc := d.DeliveryStreamDescription
	if aws.ToString(desc.VersionId) != "1" {
		t.Fatalf("version %s", aws.ToString(desc.VersionId))
	}
	_, err = h.c.UpdateDestination(ctx, &fh.UpdateDestinationInput{DeliveryStreamName: aws.String("u"),
		CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: desc.Destinations[0].DestinationId,
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v2/"), CompressionFormat: types.CompressionFormatGzip}})
	if err != nil {
		t.Fatal(err)
	}
	d, err = h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("u")})
	if err != nil {
		t.Fatal(err)
	}
	ext := d.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription
	if aws.ToString(d.DeliveryStreamDescription.VersionId) != "2" || aws.ToString(ext.Prefix) != "v2/" || ext.CompressionFormat != types.CompressionFormatGzip ||
		aws.ToInt32(ext.BufferingHints.SizeInMBs) != 1 || aws.ToString(ext.BucketARN) != "arn:aws:s3:::b" {
		t.Fatalf("after update: version %s, %+v", aws.ToString(d.DeliveryStreamDescription.VersionId), ext)
	}
	h.putAll("u", "two")
	testutil.Eventually(t, 10*time.Second, "an object of version 2", func() bool {
		for _, k := range h.objects("b") {
			if strings.HasPrefix(k, "v2/") && strings.Contains(k, "/u-2-") && strings.HasSuffix(k, ".gz") {
				return string(h.read("b", k)) == "two"
			}
		}
		return false
	})
	for _, tc := range []struct {
		name string
		in   *fh.UpdateDestinationInput
		code string
	}{
		{"stale version", &fh.UpdateDestinationInput{CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
			S3DestinationUpdate: &types.S3DestinationUpdate{Prefix: aws.String("x/")}}, "ConcurrentModificationException"},
		{"unknown destination", &fh.UpdateDestinationInput{CurrentDeliveryStreamVersionId: aws.String("2"), DestinationId: aws.String("destinationId-9"),
			S3DestinationUpdate: &types.S3DestinationUpdate{Prefix: aws.String("x/")}}, "InvalidArgumentException"},
		{"other kind", &fh.UpdateDestinationInput{CurrentDeliveryStreamVersionId: aws.String("2"), DestinationId: aws.String("destinationId-000000000001"),
			HttpEndpointDestinationUpdate: &types.HttpEndpointDestinationUpdate{}}, "InvalidArgumentException"},
		{"dynamic partitioning", &fh.UpdateDestinationInput{CurrentDeliveryStreamVersionId: aws.String("2"), DestinationId: aws.String("destinationId-000000000001"),
			ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{DynamicPartitioningConfiguration: &types.DynamicPartitioningConfiguration{Enabled: aws.Bool(true)}}}, "InvalidArgumentException"},
		{"bad hints", &fh.UpdateDestinationInput{CurrentDeliveryStreamVersionId: aws.String("2"), DestinationId: aws.String("destinationId-000000000001"),
			ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{BufferingHints: &types.BufferingHints{SizeInMBs: aws.Int32(500)}}}, "ValidationException"},
	} {
		tc.in.DeliveryStreamName = aws.String("u")
		if _, err := h.c.UpdateDestination(ctx, tc.in); awsCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}
