package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	smithy "github.com/aws/smithy-go"
	"gopkg.in/yaml.v3"
)

// DeliveryStream is one entry of the delivery_streams section: a Firehose
// delivery stream, as CreateDeliveryStream takes it.
type DeliveryStream struct {
	Name string
	// Source is the Kinesis stream the delivery stream reads, by name (a
	// stream declared in the file; apply looks up its ARN) or ARN; "" for
	// a DirectPut delivery stream that producers put records into.
	Source string
	// SourceRoleARN is the RoleARN of KinesisStreamSourceConfiguration.
	SourceRoleARN string
	// Destination is the destination's field name in the file (one of
	// DestinationKinds), Config its members as the file writes them, with
	// AWS's member names (see Type Structure).
	Destination string
	Config      map[string]any
	// Tags is never nil; an empty map means "no tags".
	Tags map[string]string
	// Line is where the entry starts in the file.
	Line int
}

// Type is the DeliveryStreamType the entry asks for.
func (d *DeliveryStream) Type() ftypes.DeliveryStreamType {
	if d.Source != "" {
		return ftypes.DeliveryStreamTypeKinesisStreamAsSource
	}
	return ftypes.DeliveryStreamTypeDirectPut
}

// destKind ties a destination field of the file to AWS's members: the
// configuration member of CreateDeliveryStream, the description member of
// DescribeDeliveryStream's destinations and the update member of
// UpdateDestination.
type destKind struct {
	field       string
	config      reflect.Type
	createAs    string
	describedAs string
	updateAs    string
	doc         string
}

var destKinds = []destKind{
	{"extended_s3", reflect.TypeFor[ftypes.ExtendedS3DestinationConfiguration](),
		"ExtendedS3DestinationConfiguration", "ExtendedS3DestinationDescription", "ExtendedS3DestinationUpdate",
		"An Amazon S3 destination: AWS's `ExtendedS3DestinationConfiguration` (`BucketARN`, `RoleARN`, `Prefix`, `ErrorOutputPrefix`, `BufferingHints: {SizeInMBs, IntervalInSeconds}`, `CompressionFormat`, `ProcessingConfiguration`, `DataFormatConversionConfiguration`, `DynamicPartitioningConfiguration`, …). Without an S3 endpoint configured, kinesin writes objects under its data directory, `s3/BUCKET/KEY`. " +
			"For record format conversion, `DataFormatConversionConfiguration.SchemaConfiguration` takes one member AWS does not have, `Columns: [{Name, Type}]`: the table's columns, which kinesin reads from there instead of an AWS Glue table (`Type` is a Hive type as Glue stores it, such as `string`, `bigint`, `decimal(10,2)`, `timestamp`, `array<string>`, `struct<a:int,b:string>`; names are unique ignoring case). Loading the file checks them; apply sends them with CreateDeliveryStream and UpdateDestination and compares them with what DescribeDeliveryStream answers."},
	{"http_endpoint", reflect.TypeFor[ftypes.HttpEndpointDestinationConfiguration](),
		"HttpEndpointDestinationConfiguration", "HttpEndpointDestinationDescription", "HttpEndpointDestinationUpdate",
		"An HTTP endpoint destination: AWS's `HttpEndpointDestinationConfiguration` (`EndpointConfiguration: {Url, Name, AccessKey}`, `RequestConfiguration`, `BufferingHints`, `RetryOptions`, `S3BackupMode`, `S3Configuration`, …)."},
	{"opensearch", reflect.TypeFor[ftypes.AmazonopensearchserviceDestinationConfiguration](),
		"AmazonopensearchserviceDestinationConfiguration", "AmazonopensearchserviceDestinationDescription", "AmazonopensearchserviceDestinationUpdate",
		"An Amazon OpenSearch Service destination: AWS's `AmazonopensearchserviceDestinationConfiguration` (`DomainARN` or `ClusterEndpoint`, `IndexName`, `IndexRotationPeriod`, `BufferingHints`, `RetryOptions`, `S3BackupMode`, `S3Configuration`, …)."},
	{"elasticsearch", reflect.TypeFor[ftypes.ElasticsearchDestinationConfiguration](),
		"ElasticsearchDestinationConfiguration", "ElasticsearchDestinationDescription", "ElasticsearchDestinationUpdate",
		"An Elasticsearch destination: AWS's `ElasticsearchDestinationConfiguration`, members as for `opensearch`."},
	{"splunk", reflect.TypeFor[ftypes.SplunkDestinationConfiguration](),
		"SplunkDestinationConfiguration", "SplunkDestinationDescription", "SplunkDestinationUpdate",
		"A Splunk destination: AWS's `SplunkDestinationConfiguration` (`HECEndpoint`, `HECEndpointType`, `HECToken`, `HECAcknowledgmentTimeoutInSeconds`, `RetryOptions`, `S3BackupMode`, `S3Configuration`, …)."},
	{"redshift", reflect.TypeFor[ftypes.RedshiftDestinationConfiguration](),
		"RedshiftDestinationConfiguration", "RedshiftDestinationDescription", "RedshiftDestinationUpdate",
		"An Amazon Redshift destination: AWS's `RedshiftDestinationConfiguration` (`ClusterJDBCURL`, `CopyCommand`, `Username`, `Password`, `RoleARN`, `S3Configuration`, …)."},
	{"kinesis_stream", reflect.TypeFor[KinesisStreamDestinationConfiguration](),
		"KinesisStreamDestinationConfiguration", "KinesisStreamDestinationDescription", "KinesisStreamDestinationUpdate",
		"A kinesin stream: kinesin's own destination, which AWS does not have (its members are sent as `KinesisStreamDestinationConfiguration`, described as `KinesisStreamDestinationDescription` and updated as `KinesisStreamDestinationUpdate`). " +
			"Records are put into the stream `KinesisStreamARN` (required, `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`) with PutRecords. `PartitionKey` (1–256 characters) is every record's partition key, which keeps all records on one shard in order; without it each record's Firehose record ID is its key, which spreads records over the stream's shards. " +
			"`BufferingHints: {SizeInMBs: 1–5 (1), IntervalInSeconds: 0–900 (0)}`, `RetryOptions: {DurationInSeconds: 0–7200 (300)}` (throttled entries and a missing stream are retried that long; records then go to the S3 backup's error output as `kinesis-stream-failed`), `RoleARN`, `S3BackupMode: FailedDataOnly | AllData`, `S3Configuration` (required), `ProcessingConfiguration`, `CloudWatchLoggingOptions`."},
}

// DestinationKinds lists the destination fields of a delivery_streams
// entry, in the order they are documented.
func DestinationKinds() []string {
	names := make([]string, len(destKinds))
	for i, k := range destKinds {
		names[i] = k.field
	}
	return names
}

func kindOf(field string) *destKind {
	for i := range destKinds {
		if destKinds[i].field == field {
			return &destKinds[i]
		}
	}
	return nil
}

// DestinationOf returns the destination field name (extended_s3, …) of a
// destination DescribeDeliveryStream answered, and its description; "" and
// nil when it is none of DestinationKinds (then S3 when only
// S3DestinationDescription is set).
func DestinationOf(d *ftypes.DestinationDescription) (string, any) {
	if d == nil {
		return "", nil
	}
	v := reflect.ValueOf(d).Elem()
	for _, k := range destKinds {
		if f := v.FieldByName(k.describedAs); f.IsValid() && !f.IsNil() {
			return k.field, f.Interface()
		}
	}
	if d.S3DestinationDescription != nil {
		return "s3", d.S3DestinationDescription
	}
	return "", nil
}

// DefaultSourceRoleARN is the RoleARN sent with a Kinesis stream source
// when the file gives none. kinesin does not check roles; AWS requires one.
const DefaultSourceRoleARN = "arn:aws:iam::000000000000:role/kinesin-firehose"

func deliveryStreamFields() []Field {
	fields := []Field{
		{
			Name: "name", Type: String, Required: true,
			Doc:    "Delivery stream name, unique within the file.",
			Checks: []Check{matches(`[a-zA-Z0-9_.-]{1,64}`)},
		},
		{
			Name: "source", Type: String, DefaultDoc: "none (DirectPut)",
			Doc:    "The Kinesis stream to read: the name of a stream declared under `streams:` in this file, or a stream ARN. The delivery stream is then of type `KinesisStreamAsSource` (`KinesisStreamSourceConfiguration`) and takes no PutRecord calls; without `source` it is `DirectPut`. Neither the type nor the source can change once the delivery stream exists.",
			Checks: []Check{streamOrARN()},
		},
		{
			Name: "source_role_arn", Type: String, DefaultDoc: "`" + DefaultSourceRoleARN + "` (with `source`)",
			Doc:    "`RoleARN` of the `KinesisStreamSourceConfiguration`; kinesin does not check it.",
			Checks: []Check{matches(`arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+`)},
		},
	}
	for _, k := range destKinds {
		fields = append(fields, Field{
			Name: k.field, Type: Structure, Shape: k.config, DefaultDoc: "— (exactly one destination)",
			Doc: k.doc + " Members are AWS's, with AWS's names, passed to CreateDeliveryStream as written.",
		})
	}
	return append(fields, Field{
		Name: "tags", Type: StringMap, Default: map[string]string{},
		Doc:         "Tags of the delivery stream; apply adds, changes and removes tags so that they equal this map.",
		Checks:      []Check{maxEntries(50)},
		KeyChecks:   []Check{lengthBetween(1, 128), notPrefix("aws:")},
		ValueChecks: []Check{lengthBetween(0, 256)},
	})
}

var deliveryStreamsSection = &Section{
	Name: "delivery_streams",
	Doc: "Firehose delivery streams that buffer records and deliver them to a destination. Each entry has exactly one destination field, whose members are AWS's own (`BucketARN`, `BufferingHints`, …), passed to CreateDeliveryStream as they are written; loading the file checks them against AWS's model (unknown members, types, enum values, required members), each problem at its line. " +
		"Apply runs after streams, functions and event source mappings, so a delivery stream may read a stream and process records with a function of the file. " +
		"It creates missing delivery streams (and waits until they are ACTIVE), leaves alone those whose destination has every member the file gives (secrets DescribeDeliveryStream does not show, such as `AccessKey` or `Password`, cannot be compared, so a changed secret alone changes nothing), and otherwise calls UpdateDestination with the file's members (AWS merges them into the destination: a member removed from the file keeps its value). " +
		"Delivery streams not in the file are left alone.",
	Fields: deliveryStreamFields(),
	build:  buildDeliveryStream,
	finish: uniqueDeliveryStreams,
}

func buildDeliveryStream(f *File, e *entry) {
	d := DeliveryStream{
		Name:   e.str("name"),
		Source: e.str("source"),
		Tags:   e.strMap("tags"),
		Line:   e.node.Line,
	}
	var given []string
	for _, k := range destKinds {
		if e.given(k.field) {
			given = append(given, k.field)
		}
	}
	slices.SortStableFunc(given, func(a, b string) int { return e.line(a) - e.line(b) })
	switch len(given) {
	case 0:
		e.p.add(e.node.Line, e.path, "a destination is required: one of %s", strings.Join(DestinationKinds(), ", "))
	case 1:
		d.Destination = given[0]
		if cfg, ok := e.vals[given[0]].(map[string]any); ok {
			d.Config = cfg
			checkRequired(e, &d, kindOf(d.Destination))
		}
	default:
		for _, k := range given[1:] {
			e.errorf(k, "only one destination per delivery stream (also %s at line %d)", given[0], e.line(given[0]))
		}
	}
	if e.given("source_role_arn") && !e.given("source") {
		e.errorf("source_role_arn", "only allowed with source")
	}
	if d.Source != "" {
		d.SourceRoleARN = e.str("source_role_arn")
		if d.SourceRoleARN == "" {
			d.SourceRoleARN = DefaultSourceRoleARN
		}
		if src := d.Source; !strings.HasPrefix(src, "arn:") {
			// The stream may be declared after this section.
			e.p.later = append(e.p.later, func(f *File) {
				for _, s := range f.Streams {
					if s.Name == src {
						return
					}
				}
				e.errorf("source", "stream %q is not declared under streams: (declare it in this file, or give its ARN)", src)
			})
		}
	}
	f.DeliveryStreams = append(f.DeliveryStreams, d)
}

func uniqueDeliveryStreams(_ *File, es []*entry) { uniqueNames("delivery stream", es) }

// describe says what a delivery stream is in one phrase: its type and
// where it delivers, such as "DirectPut → extended_s3 arn:aws:s3:::lake".
func (d *DeliveryStream) describe() string {
	target := ""
	for _, m := range []string{"BucketARN", "ClusterJDBCURL", "HECEndpoint", "DomainARN", "ClusterEndpoint", "KinesisStreamARN"} {
		if s, ok := d.Config[m].(string); ok {
			target = " " + s
			break
		}
	}
	if ec, ok := d.Config["EndpointConfiguration"].(map[string]any); ok && target == "" {
		if s, ok := ec["Url"].(string); ok {
			target = " " + s
		}
	}
	src := string(d.Type())
	if d.Source != "" {
		src = d.Source
	}
	return fmt.Sprintf("%s → %s%s", src, d.Destination, target)
}

// errNotSent stops a request once the SDK's validation passed.
var errNotSent = errors.New("pipeline: not sent")

type notSent struct{}

func (notSent) Do(*http.Request) (*http.Response, error) { return nil, errNotSent }

// validator runs the SDK's own checks of a request (the members AWS's
// model marks required) and never sends it.
var validator = firehose.New(firehose.Options{
	Region:           "us-east-1",
	BaseEndpoint:     aws.String("http://validate.invalid"),
	Credentials:      credentials.NewStaticCredentialsProvider("kinesin", "kinesin", ""),
	HTTPClient:       notSent{},
	RetryMaxAttempts: 1,
})

// checkRequired reports the members AWS requires that the destination of
// e lacks, each at the line of the structure that should hold it. It
// checks the CreateDeliveryStream request apply would send.
func checkRequired(e *entry, d *DeliveryStream, kind *destKind) {
	if kind.own() {
		checkOwn(e, d, kind)
		return
	}
	source := d.Source
	if source != "" && !strings.HasPrefix(source, "arn:") {
		source = "arn:aws:kinesis:us-east-1:000000000000:stream/" + source
	}
	in, err := createDeliveryInput(d, kind, source)
	if err != nil {
		e.errorf(kind.field, "%v", err)
		return
	}
	_, err = validator.CreateDeliveryStream(context.Background(), in)
	var invalid smithy.InvalidParamsError
	if !errors.As(err, &invalid) {
		return
	}
	for _, pe := range invalid.Errs() {
		var ipe smithy.InvalidParamError
		if !errors.As(pe, &ipe) {
			continue
		}
		field, ok := strings.CutPrefix(ipe.Field(), "CreateDeliveryStreamInput."+kind.createAs+".")
		if !ok {
			continue
		}
		parent, member := "", field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			parent, member = field[:i], field[i+1:]
		}
		node := nodeAt(deref(e.written[kind.field].val), parent)
		path := e.path + "." + kind.field
		if parent != "" {
			path += "." + parent
		}
		e.p.add(node.Line, path+"."+member, "required member is missing")
	}
}

// nodeAt follows a member path such as "ProcessingConfiguration.Processors[0]"
// from n, as far as the document has it.
func nodeAt(n *yaml.Node, path string) *yaml.Node {
	if path == "" {
		return n
	}
	for _, seg := range strings.Split(strings.ReplaceAll(path, "[", ".["), ".") {
		var next *yaml.Node
		switch {
		case seg == "":
			continue
		case strings.HasPrefix(seg, "["):
			i, err := strconv.Atoi(strings.Trim(seg, "[]"))
			if n.Kind == yaml.SequenceNode && err == nil && i >= 0 && i < len(n.Content) {
				next = deref(n.Content[i])
			}
		case n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					next = deref(n.Content[i+1])
				}
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}
