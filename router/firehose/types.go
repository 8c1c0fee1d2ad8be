package firehose

import (
	"encoding/json"

	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/sinks/httpendpoint"
	"github.com/kinesin/kinesin/sinks/kinesisdest"
	"github.com/kinesin/kinesin/sinks/opensearch"
	"github.com/kinesin/kinesin/sinks/postgres"
	"github.com/kinesin/kinesin/sinks/splunk"
)

// Wire shapes of Firehose_20150804. Members are pointers where AWS tells a
// missing member from a zero one.

type (
	ts   = awsproto.Timestamp
	blob = awsproto.Blob
)

type tag struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

type bufferingHints struct {
	SizeInMBs         *int64 `json:"SizeInMBs"`
	IntervalInSeconds *int64 `json:"IntervalInSeconds"`
}

// s3Config is both S3DestinationConfiguration and the members of
// ExtendedS3DestinationConfiguration this slice reads.
type s3Config struct {
	RoleARN           *string         `json:"RoleARN"`
	BucketARN         *string         `json:"BucketARN"`
	Prefix            *string         `json:"Prefix"`
	ErrorOutputPrefix *string         `json:"ErrorOutputPrefix"`
	BufferingHints    *bufferingHints `json:"BufferingHints"`
	CompressionFormat *string         `json:"CompressionFormat"`
	// Members of ExtendedS3DestinationConfiguration only.
	ProcessingConfiguration           *processingConfig          `json:"ProcessingConfiguration"`
	DataFormatConversionConfiguration *conversionConfig          `json:"DataFormatConversionConfiguration"`
	DynamicPartitioningConfiguration  *dynamicPartitioningConfig `json:"DynamicPartitioningConfiguration"`
	S3BackupMode                      *string                    `json:"S3BackupMode"`
	S3BackupConfiguration             *s3Config                  `json:"S3BackupConfiguration"`
	FileExtension                     *string                    `json:"FileExtension"`
	CustomTimeZone                    *string                    `json:"CustomTimeZone"`
	EncryptionConfiguration           any                        `json:"EncryptionConfiguration"`
	CloudWatchLoggingOptions          any                        `json:"CloudWatchLoggingOptions"`
}

// processingConfig is the API's ProcessingConfiguration, in and out.
type processingConfig struct {
	Enabled    *bool       `json:"Enabled,omitempty"`
	Processors []processor `json:"Processors,omitempty"`
}

type processor struct {
	Type       string      `json:"Type"`
	Parameters []parameter `json:"Parameters,omitempty"`
}

type parameter struct {
	ParameterName  string `json:"ParameterName"`
	ParameterValue string `json:"ParameterValue"`
}

type createIn struct {
	DeliveryStreamName                 *string   `json:"DeliveryStreamName"`
	DeliveryStreamType                 *string   `json:"DeliveryStreamType"`
	S3DestinationConfiguration         *s3Config `json:"S3DestinationConfiguration"`
	ExtendedS3DestinationConfiguration *s3Config `json:"ExtendedS3DestinationConfiguration"`
	Tags                               []tag     `json:"Tags"`
	// Members of other sources and destinations: present means "not
	// supported yet" in this slice.
	KinesisStreamSourceConfiguration                *kinesisSourceIn     `json:"KinesisStreamSourceConfiguration"`
	MSKSourceConfiguration                          any                  `json:"MSKSourceConfiguration"`
	DeliveryStreamEncryptionConfigurationInput      any                  `json:"DeliveryStreamEncryptionConfigurationInput"`
	RedshiftDestinationConfiguration                *postgres.Config     `json:"RedshiftDestinationConfiguration"`
	ElasticsearchDestinationConfiguration           *opensearch.Config   `json:"ElasticsearchDestinationConfiguration"`
	AmazonopensearchserviceDestinationConfiguration *opensearch.Config   `json:"AmazonopensearchserviceDestinationConfiguration"`
	SplunkDestinationConfiguration                  *splunk.Config       `json:"SplunkDestinationConfiguration"`
	HttpEndpointDestinationConfiguration            *httpendpoint.Config `json:"HttpEndpointDestinationConfiguration"`
	// KinesisStreamDestinationConfiguration is kinesin's: a kinesin stream.
	KinesisStreamDestinationConfiguration *kinesisdest.Config `json:"KinesisStreamDestinationConfiguration"`
	SnowflakeDestinationConfiguration     any                 `json:"SnowflakeDestinationConfiguration"`
	IcebergDestinationConfiguration       any                 `json:"IcebergDestinationConfiguration"`
}

type createOut struct {
	DeliveryStreamARN string `json:"DeliveryStreamARN"`
}

type nameIn struct {
	DeliveryStreamName *string `json:"DeliveryStreamName"`
}

type deleteIn struct {
	DeliveryStreamName *string `json:"DeliveryStreamName"`
	AllowForceDelete   *bool   `json:"AllowForceDelete"`
}

type describeIn struct {
	DeliveryStreamName          *string `json:"DeliveryStreamName"`
	Limit                       *int64  `json:"Limit"`
	ExclusiveStartDestinationId *string `json:"ExclusiveStartDestinationId"`
}

type hintsOut struct {
	SizeInMBs         int64 `json:"SizeInMBs"`
	IntervalInSeconds int64 `json:"IntervalInSeconds"`
}

type loggingOut struct {
	Enabled bool `json:"Enabled"`
}

type encryptionOut struct {
	NoEncryptionConfig string `json:"NoEncryptionConfig"`
}

type s3Out struct {
	RoleARN                  string        `json:"RoleARN"`
	BucketARN                string        `json:"BucketARN"`
	Prefix                   string        `json:"Prefix"`
	ErrorOutputPrefix        string        `json:"ErrorOutputPrefix,omitempty"`
	BufferingHints           hintsOut      `json:"BufferingHints"`
	CompressionFormat        string        `json:"CompressionFormat"`
	EncryptionConfiguration  encryptionOut `json:"EncryptionConfiguration"`
	CloudWatchLoggingOptions loggingOut    `json:"CloudWatchLoggingOptions"`
}

type extendedS3Out struct {
	s3Out
	S3BackupMode                      string                     `json:"S3BackupMode"`
	S3BackupDescription               *s3Out                     `json:"S3BackupDescription,omitempty"`
	ProcessingConfiguration           *processingConfig          `json:"ProcessingConfiguration,omitempty"`
	DataFormatConversionConfiguration *conversionConfig          `json:"DataFormatConversionConfiguration,omitempty"`
	DynamicPartitioningConfiguration  *dynamicPartitioningConfig `json:"DynamicPartitioningConfiguration,omitempty"`
	FileExtension                     string                     `json:"FileExtension,omitempty"`
	CustomTimeZone                    string                     `json:"CustomTimeZone,omitempty"`
}

type destinationOut struct {
	DestinationId                    string         `json:"DestinationId"`
	S3DestinationDescription         *s3Out         `json:"S3DestinationDescription,omitempty"`
	ExtendedS3DestinationDescription *extendedS3Out `json:"ExtendedS3DestinationDescription,omitempty"`
	// The description of a destination other than S3, under its member
	// name (HttpEndpointDestinationDescription, ...).
	other map[string]any
}

// MarshalJSON adds the other destination's member.
func (d destinationOut) MarshalJSON() ([]byte, error) {
	m := map[string]any{"DestinationId": d.DestinationId}
	if d.S3DestinationDescription != nil {
		m["S3DestinationDescription"] = d.S3DestinationDescription
	}
	if d.ExtendedS3DestinationDescription != nil {
		m["ExtendedS3DestinationDescription"] = d.ExtendedS3DestinationDescription
	}
	for k, v := range d.other {
		m[k] = v
	}
	return json.Marshal(m)
}

type streamEncryptionOut struct {
	Status string `json:"Status"`
}

type descriptionOut struct {
	DeliveryStreamName                    string              `json:"DeliveryStreamName"`
	DeliveryStreamARN                     string              `json:"DeliveryStreamARN"`
	DeliveryStreamStatus                  string              `json:"DeliveryStreamStatus"`
	DeliveryStreamType                    string              `json:"DeliveryStreamType"`
	DeliveryStreamEncryptionConfiguration streamEncryptionOut `json:"DeliveryStreamEncryptionConfiguration"`
	VersionId                             string              `json:"VersionId"`
	CreateTimestamp                       ts                  `json:"CreateTimestamp"`
	Source                                *sourceOut          `json:"Source,omitempty"`
	Destinations                          []destinationOut    `json:"Destinations"`
	HasMoreDestinations                   bool                `json:"HasMoreDestinations"`
}

type describeOut struct {
	DeliveryStreamDescription descriptionOut `json:"DeliveryStreamDescription"`
}

type listIn struct {
	Limit                            *int64  `json:"Limit"`
	DeliveryStreamType               *string `json:"DeliveryStreamType"`
	ExclusiveStartDeliveryStreamName *string `json:"ExclusiveStartDeliveryStreamName"`
}

type listOut struct {
	DeliveryStreamNames    []string `json:"DeliveryStreamNames"`
	HasMoreDeliveryStreams bool     `json:"HasMoreDeliveryStreams"`
}

type record struct {
	Data *blob `json:"Data"`
}

type putRecordIn struct {
	DeliveryStreamName *string `json:"DeliveryStreamName"`
	Record             *record `json:"Record"`
}

type putRecordOut struct {
	RecordId  string `json:"RecordId"`
	Encrypted bool   `json:"Encrypted"`
}

type putBatchIn struct {
	DeliveryStreamName *string  `json:"DeliveryStreamName"`
	Records            []record `json:"Records"`
}

type batchEntry struct {
	RecordId     string `json:"RecordId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putBatchOut struct {
	FailedPutCount   int          `json:"FailedPutCount"`
	Encrypted        bool         `json:"Encrypted"`
	RequestResponses []batchEntry `json:"RequestResponses"`
}

type tagIn struct {
	DeliveryStreamName *string `json:"DeliveryStreamName"`
	Tags               []tag   `json:"Tags"`
}

type untagIn struct {
	DeliveryStreamName *string  `json:"DeliveryStreamName"`
	TagKeys            []string `json:"TagKeys"`
}

type listTagsIn struct {
	DeliveryStreamName   *string `json:"DeliveryStreamName"`
	ExclusiveStartTagKey *string `json:"ExclusiveStartTagKey"`
	Limit                *int64  `json:"Limit"`
}

type tagOut struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type listTagsOut struct {
	Tags        []tagOut `json:"Tags"`
	HasMoreTags bool     `json:"HasMoreTags"`
}

type kinesisSourceIn struct {
	KinesisStreamARN *string `json:"KinesisStreamARN"`
	RoleARN          *string `json:"RoleARN"`
}

type kinesisSourceOut struct {
	KinesisStreamARN       string `json:"KinesisStreamARN"`
	RoleARN                string `json:"RoleARN"`
	DeliveryStartTimestamp ts     `json:"DeliveryStartTimestamp"`
}

type sourceOut struct {
	KinesisStreamSourceDescription kinesisSourceOut `json:"KinesisStreamSourceDescription"`
}
