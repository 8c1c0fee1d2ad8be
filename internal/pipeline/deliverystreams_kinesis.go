package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	smithy "github.com/aws/smithy-go"
)

// kinesin's own destination kinds: a destination AWS's model does not
// have (a kinesin stream, kinesis_stream:). The SDK has no type for its
// configuration, so the file is checked against the shape below, and apply
// sends the whole configuration as a member written into the JSON body of
// CreateDeliveryStream and UpdateDestination (withExtras) and compares it
// with the raw DescribeDeliveryStream answer (ownDestination).

// KinesisStreamDestinationConfiguration is the shape of kinesin's
// KinesisStreamDestinationConfiguration, for the file's kinesis_stream
// member (sinks/kinesisdest reads it on the server).
type KinesisStreamDestinationConfiguration struct {
	KinesisStreamARN         *string
	PartitionKey             *string
	BufferingHints           *KinesisStreamBufferingHints
	RetryOptions             *KinesisStreamRetryOptions
	RoleARN                  *string
	S3BackupMode             KinesisStreamS3BackupMode
	S3Configuration          *ftypes.S3DestinationConfiguration
	ProcessingConfiguration  *ftypes.ProcessingConfiguration
	CloudWatchLoggingOptions *ftypes.CloudWatchLoggingOptions
}

// KinesisStreamBufferingHints is the kinesis_stream destination's
// BufferingHints.
type KinesisStreamBufferingHints struct {
	SizeInMBs         *int32
	IntervalInSeconds *int32
}

// KinesisStreamRetryOptions is the kinesis_stream destination's
// RetryOptions.
type KinesisStreamRetryOptions struct {
	DurationInSeconds *int32
}

// KinesisStreamS3BackupMode is the kinesis_stream destination's
// S3BackupMode.
type KinesisStreamS3BackupMode string

// Values lists the backup modes (shape checks enums by it).
func (KinesisStreamS3BackupMode) Values() []KinesisStreamS3BackupMode {
	return []KinesisStreamS3BackupMode{"FailedDataOnly", "AllData"}
}

// own reports whether the kind is kinesin's own: AWS's request has no
// member for it.
func (k *destKind) own() bool {
	_, ok := reflect.TypeFor[firehose.CreateDeliveryStreamInput]().FieldByName(k.createAs)
	return !ok
}

var (
	kinesisStreamARNRe = regexp.MustCompile(`^arn:[a-zA-Z0-9\-]+:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/[a-zA-Z0-9_.\-]{1,128}$`)
	roleARNRe          = regexp.MustCompile(`^arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+$`)
)

// checkOwn checks what shape cannot of a kinesin destination: required
// members, ranges and patterns (as the server's validation), each at its
// line, and the members AWS requires in the SDK structures it holds.
func checkOwn(e *entry, d *DeliveryStream, kind *destKind) {
	node := deref(e.written[kind.field].val)
	path := e.path + "." + kind.field
	cfg := d.Config
	for _, m := range []string{"KinesisStreamARN", "S3Configuration"} {
		if _, ok := cfg[m]; !ok {
			e.p.add(node.Line, path+"."+m, "required member is missing")
		}
	}
	if s, ok := cfg["KinesisStreamARN"].(string); ok && (len(s) > 512 || !kinesisStreamARNRe.MatchString(s)) {
		e.p.add(memberLine(node, "KinesisStreamARN"), path+".KinesisStreamARN", "must be a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), got %q", s)
	}
	if s, ok := cfg["PartitionKey"].(string); ok && (len(s) < 1 || len(s) > 256) {
		e.p.add(memberLine(node, "PartitionKey"), path+".PartitionKey", "must have 1 to 256 characters, got %d", len(s))
	}
	if s, ok := cfg["RoleARN"].(string); ok && (len(s) > 512 || !roleARNRe.MatchString(s)) {
		e.p.add(memberLine(node, "RoleARN"), path+".RoleARN", "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), got %q", s)
	}
	for _, r := range []struct {
		member   string
		min, max int64
	}{
		{"BufferingHints.SizeInMBs", 1, 5},
		{"BufferingHints.IntervalInSeconds", 0, 900},
		{"RetryOptions.DurationInSeconds", 0, 7200},
	} {
		v, ok := getPath(cfg, strings.Split(r.member, "."))
		if n, isInt := v.(int64); ok && isInt && (n < r.min || n > r.max) {
			e.p.add(nodeAt(node, r.member).Line, path+"."+r.member, "must be between %d and %d, got %d", r.min, r.max, n)
		}
	}

	// The SDK's own checks of the AWS structures inside: S3Configuration
	// as an S3DestinationConfiguration, the others where an extended S3
	// destination holds them.
	in := &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("x"),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{BucketARN: aws.String("x"), RoleARN: aws.String("x")}}
	held := [][2]string{ // the input's field, the file's member
		{"S3DestinationConfiguration", "S3Configuration"},
		{"ExtendedS3DestinationConfiguration.ProcessingConfiguration", "ProcessingConfiguration"},
		{"ExtendedS3DestinationConfiguration.CloudWatchLoggingOptions", "CloudWatchLoggingOptions"},
	}
	for _, h := range held {
		field, member := h[0], h[1]
		v, ok := cfg[member]
		if !ok {
			continue
		}
		dst := reflect.ValueOf(in).Elem()
		for _, f := range strings.Split(field, ".") {
			if dst.Kind() == reflect.Pointer {
				dst = dst.Elem()
			}
			dst = dst.FieldByName(f)
		}
		if err := fill(dst, v, nil); err != nil {
			e.p.add(memberLine(node, member), path+"."+member, "%v", err)
			return
		}
	}
	_, err := validator.CreateDeliveryStream(context.Background(), in)
	var invalid smithy.InvalidParamsError
	if !errors.As(err, &invalid) {
		return
	}
	for _, pe := range invalid.Errs() {
		var ipe smithy.InvalidParamError
		if !errors.As(pe, &ipe) {
			continue
		}
		f := strings.TrimPrefix(ipe.Field(), "CreateDeliveryStreamInput.")
		for _, h := range held {
			member := h[1]
			rest, ok := strings.CutPrefix(f, h[0]+".")
			if !ok {
				continue
			}
			full := member + "." + rest
			parent, name := "", full
			if i := strings.LastIndexByte(full, '.'); i >= 0 {
				parent, name = full[:i], full[i+1:]
			}
			e.p.add(nodeAt(node, parent).Line, path+"."+parent+"."+name, "required member is missing")
		}
	}
}

// ownConfig is the whole configuration of a kinesin destination, sent as
// member (renamed at the top by names) of the call's JSON body.
func ownConfig(d *DeliveryStream, member string, names map[string]string) []extraValue {
	cfg := map[string]any{}
	for k, v := range d.Config {
		if r, ok := names[k]; ok {
			k = r
		}
		cfg[k] = v
	}
	return []extraValue{{[]string{member}, cfg}}
}

// ownDestination returns the kind and the description of a destination
// only kinesin has, from DescribeDeliveryStream's raw answer ("" and nil
// when the destination is none of them).
func ownDestination(raw []byte) (string, map[string]any) {
	var answer struct {
		DeliveryStreamDescription struct {
			Destinations []map[string]json.RawMessage
		}
	}
	if json.Unmarshal(raw, &answer) != nil || len(answer.DeliveryStreamDescription.Destinations) != 1 {
		return "", nil
	}
	dest := answer.DeliveryStreamDescription.Destinations[0]
	for i := range destKinds {
		k := &destKinds[i]
		if !k.own() {
			continue
		}
		if b, ok := dest[k.describedAs]; ok {
			var m map[string]any
			if json.Unmarshal(b, &m) == nil && m != nil {
				return k.field, m
			}
		}
	}
	return "", nil
}
