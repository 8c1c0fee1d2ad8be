package video

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	kv "github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo/types"
)

func TestControlPlane(t *testing.T) {
	e := newEnv(t, func(s *Service) { s.maxStreams = 4 })
	ctx := context.Background()
	arn := e.create("cam-1")
	if !strings.HasPrefix(arn, "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam-1/") {
		t.Fatalf("ARN %s", arn)
	}
	d, err := e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{StreamARN: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	si := d.StreamInfo
	if *si.StreamName != "cam-1" || *si.StreamARN != arn || *si.MediaType != "video/h264" || si.Status != types.StatusActive ||
		*si.KmsKeyId != "arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo" || *si.DataRetentionInHours != 0 ||
		si.CreationTime == nil || si.CreationTime.IsZero() || *si.Version == "" {
		t.Fatalf("StreamInfo %+v", si)
	}
	if !strings.HasSuffix(arn, fmt.Sprint(si.CreationTime.UnixMilli())) {
		t.Fatalf("ARN %s does not end with the creation time %v", arn, si.CreationTime)
	}
	v1 := *si.Version

	// Updates change the version; the old version is refused.
	if _, err := e.kv.UpdateStream(ctx, &kv.UpdateStreamInput{StreamName: aws.String("cam-1"), CurrentVersion: aws.String(v1),
		DeviceName: aws.String("dev"), MediaType: aws.String("video/h265")}); err != nil {
		t.Fatal(err)
	}
	d, _ = e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{StreamName: aws.String("cam-1")})
	if *d.StreamInfo.DeviceName != "dev" || *d.StreamInfo.MediaType != "video/h265" || *d.StreamInfo.Version == v1 {
		t.Fatalf("after update %+v", d.StreamInfo)
	}
	v2 := *d.StreamInfo.Version
	if _, err := e.kv.UpdateDataRetention(ctx, &kv.UpdateDataRetentionInput{StreamName: aws.String("cam-1"), CurrentVersion: aws.String(v2),
		Operation: types.UpdateDataRetentionOperationIncreaseDataRetention, DataRetentionChangeInHours: aws.Int32(24)}); err != nil {
		t.Fatal(err)
	}
	d, _ = e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{StreamName: aws.String("cam-1")})
	if *d.StreamInfo.DataRetentionInHours != 24 || *d.StreamInfo.Version == v2 {
		t.Fatalf("after retention %+v", d.StreamInfo)
	}
	v3 := *d.StreamInfo.Version

	// Tags, by name and by ARN.
	if _, err := e.kv.TagStream(ctx, &kv.TagStreamInput{StreamName: aws.String("cam-1"), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kv.TagResource(ctx, &kv.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("c"), Value: aws.String("3")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kv.UntagStream(ctx, &kv.UntagStreamInput{StreamARN: aws.String(arn), TagKeyList: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kv.UntagResource(ctx, &kv.UntagResourceInput{ResourceARN: aws.String(arn), TagKeyList: []string{"c"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := e.kv.ListTagsForStream(ctx, &kv.ListTagsForStreamInput{StreamName: aws.String("cam-1")})
	if err != nil || len(lt.Tags) != 1 || lt.Tags["b"] != "2" {
		t.Fatalf("tags %v %v", lt, err)
	}
	lr, err := e.kv.ListTagsForResource(ctx, &kv.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || len(lr.Tags) != 1 {
		t.Fatalf("resource tags %v %v", lr, err)
	}

	ep, err := e.kv.GetDataEndpoint(ctx, &kv.GetDataEndpointInput{StreamName: aws.String("cam-1"), APIName: types.APINameGetHlsStreamingSessionUrl})
	if err != nil || *ep.DataEndpoint != e.url {
		t.Fatalf("endpoint %v %v", ep, err)
	}

	// ListStreams pages and filters.
	e.create("cam-2")
	e.create("other")
	var names []string
	var token *string
	for {
		out, err := e.kv.ListStreams(ctx, &kv.ListStreamsInput{MaxResults: aws.Int32(1), NextToken: token,
			StreamNameCondition: &types.StreamNameCondition{ComparisonOperator: types.ComparisonOperatorBeginsWith, ComparisonValue: aws.String("cam")}})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.StreamInfoList {
			names = append(names, *s.StreamName)
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if strings.Join(names, ",") != "cam-1,cam-2" {
		t.Fatalf("listed %v", names)
	}

	tooMany := map[string]string{}
	for i := range 51 {
		tooMany[fmt.Sprint("k", i)] = "v"
	}
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprint("t", i)] = "v"
	}

	// Every error of the control plane, with its status.
	for _, tc := range []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"create existing", func() error {
			_, err := e.kv.CreateStream(ctx, &kv.CreateStreamInput{StreamName: aws.String("cam-1")})
			return err
		}, "ResourceInUseException", 400},
		{"create bad name", func() error {
			_, err := e.kv.CreateStream(ctx, &kv.CreateStreamInput{StreamName: aws.String("bad name")})
			return err
		}, "InvalidArgumentException", 400},
		{"create retention too long", func() error {
			_, err := e.kv.CreateStream(ctx, &kv.CreateStreamInput{StreamName: aws.String("x"), DataRetentionInHours: aws.Int32(87601)})
			return err
		}, "InvalidArgumentException", 400},
		{"create bad media type", func() error {
			_, err := e.kv.CreateStream(ctx, &kv.CreateStreamInput{StreamName: aws.String("x"), MediaType: aws.String("h264")})
			return err
		}, "InvalidArgumentException", 400},
		{"create too many tags", func() error {
			_, err := e.kv.CreateStream(ctx, &kv.CreateStreamInput{StreamName: aws.String("x"), Tags: tooMany})
			return err
		}, "TagsPerResourceExceededLimitException", 400},
		{"describe missing", func() error {
			_, err := e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{StreamName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", 404},
		{"describe neither name nor ARN", func() error {
			_, err := e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{})
			return err
		}, "InvalidArgumentException", 400},
		{"describe name and ARN disagree", func() error {
			_, err := e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{StreamName: aws.String("cam-2"), StreamARN: aws.String(arn)})
			return err
		}, "InvalidArgumentException", 400},
		{"describe stale ARN", func() error {
			_, err := e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{StreamARN: aws.String(strings.TrimRight(arn, "0123456789") + "1")})
			return err
		}, "ResourceNotFoundException", 404},
		{"update old version", func() error {
			_, err := e.kv.UpdateStream(ctx, &kv.UpdateStreamInput{StreamName: aws.String("cam-1"), CurrentVersion: aws.String(v1), DeviceName: aws.String("d")})
			return err
		}, "VersionMismatchException", 400},
		{"update missing stream", func() error {
			_, err := e.kv.UpdateStream(ctx, &kv.UpdateStreamInput{StreamName: aws.String("nope"), CurrentVersion: aws.String(v1)})
			return err
		}, "ResourceNotFoundException", 404},
		{"retention below zero", func() error {
			_, err := e.kv.UpdateDataRetention(ctx, &kv.UpdateDataRetentionInput{StreamName: aws.String("cam-1"), CurrentVersion: aws.String(v3),
				Operation: types.UpdateDataRetentionOperationDecreaseDataRetention, DataRetentionChangeInHours: aws.Int32(25)})
			return err
		}, "InvalidArgumentException", 400},
		{"retention above limit", func() error {
			_, err := e.kv.UpdateDataRetention(ctx, &kv.UpdateDataRetentionInput{StreamName: aws.String("cam-1"), CurrentVersion: aws.String(v3),
				Operation: types.UpdateDataRetentionOperationIncreaseDataRetention, DataRetentionChangeInHours: aws.Int32(87600)})
			return err
		}, "InvalidArgumentException", 400},
		{"retention old version", func() error {
			_, err := e.kv.UpdateDataRetention(ctx, &kv.UpdateDataRetentionInput{StreamName: aws.String("cam-1"), CurrentVersion: aws.String(v2),
				Operation: types.UpdateDataRetentionOperationIncreaseDataRetention, DataRetentionChangeInHours: aws.Int32(1)})
			return err
		}, "VersionMismatchException", 400},
		{"retention bad operation", func() error {
			_, err := e.kv.UpdateDataRetention(ctx, &kv.UpdateDataRetentionInput{StreamName: aws.String("cam-1"), CurrentVersion: aws.String(v3),
				Operation: "SIDEWAYS", DataRetentionChangeInHours: aws.Int32(1)})
			return err
		}, "InvalidArgumentException", 400},
		{"tag over the limit", func() error {
			_, err := e.kv.TagStream(ctx, &kv.TagStreamInput{StreamName: aws.String("cam-1"), Tags: fifty})
			return err
		}, "TagsPerResourceExceededLimitException", 400},
		{"tag missing stream", func() error {
			_, err := e.kv.TagStream(ctx, &kv.TagStreamInput{StreamName: aws.String("nope"), Tags: map[string]string{"a": "b"}})
			return err
		}, "ResourceNotFoundException", 404},
		{"tag bad key", func() error {
			_, err := e.kv.TagStream(ctx, &kv.TagStreamInput{StreamName: aws.String("cam-1"), Tags: map[string]string{"a*": "b"}})
			return err
		}, "InvalidArgumentException", 400},
		{"endpoint bad API", func() error {
			_, err := e.kv.GetDataEndpoint(ctx, &kv.GetDataEndpointInput{StreamName: aws.String("cam-1"), APIName: "PLAY"})
			return err
		}, "InvalidArgumentException", 400},
		{"endpoint missing stream", func() error {
			_, err := e.kv.GetDataEndpoint(ctx, &kv.GetDataEndpointInput{StreamName: aws.String("nope"), APIName: types.APINamePutMedia})
			return err
		}, "ResourceNotFoundException", 404},
		{"list bad token", func() error {
			_, err := e.kv.ListStreams(ctx, &kv.ListStreamsInput{NextToken: aws.String("Zm9v")})
			return err
		}, "InvalidArgumentException", 400},
		{"delete old version", func() error {
			_, err := e.kv.DeleteStream(ctx, &kv.DeleteStreamInput{StreamARN: aws.String(arn), CurrentVersion: aws.String(v1)})
			return err
		}, "VersionMismatchException", 400},
		{"delete missing", func() error {
			_, err := e.kv.DeleteStream(ctx, &kv.DeleteStreamInput{StreamARN: aws.String("arn:aws:kinesisvideo:us-east-1:000000000000:stream/nope/1")})
			return err
		}, "ResourceNotFoundException", 404},
		{"account stream limit", func() error {
			if _, err := e.kv.CreateStream(ctx, &kv.CreateStreamInput{StreamName: aws.String("fourth")}); err != nil {
				return err
			}
			_, err := e.kv.CreateStream(ctx, &kv.CreateStreamInput{StreamName: aws.String("fifth")})
			return err
		}, "AccountStreamLimitExceededException", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if got := errCode(err); got != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status {
				t.Fatalf("status of %v, want %d", err, tc.status)
			}
		})
	}

	// Required members the SDK would refuse to send.
	for _, tc := range []struct {
		op   string
		in   any
		code string
	}{
		{"updateStream", map[string]any{"StreamName": "cam-1"}, "InvalidArgumentException"},
		{"createStream", map[string]any{}, "InvalidArgumentException"},
		{"createStream", `{"StreamName": 5}`, "SerializationException"},
		{"deleteStream", map[string]any{"StreamName": "cam-1"}, "InvalidArgumentException"},
		{"getDataEndpoint", map[string]any{"StreamName": "cam-1"}, "InvalidArgumentException"},
	} {
		var in any = tc.in
		if s, ok := tc.in.(string); ok {
			in = rawJSON(s)
		}
		if code, status := e.call(tc.op, in, nil); code != tc.code || status != 400 {
			t.Errorf("%s %v: %s %d, want %s", tc.op, tc.in, code, status, tc.code)
		}
	}

	// Delete, then the name is free again with a new ARN.
	if _, err := e.kv.DeleteStream(ctx, &kv.DeleteStreamInput{StreamARN: aws.String(arn), CurrentVersion: aws.String(v3)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10e9, "cam-1 gone", func() bool {
		_, err := e.kv.DescribeStream(ctx, &kv.DescribeStreamInput{StreamName: aws.String("cam-1")})
		return errCode(err) == "ResourceNotFoundException"
	})
	if arn2 := e.create("cam-1"); arn2 == arn {
		t.Fatalf("recreated stream has the old ARN %s", arn)
	}
}

// rawJSON is a request body sent as is.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
