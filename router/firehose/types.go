package firehose

import "github.com/kinesin/kinesin/router/awsproto"

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
	// ProcessingConfiguration is ExtendedS3DestinationConfiguration's.
	ProcessingConfiguration *processingConfig `json:"ProcessingConfiguration"`
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
	KinesisStreamSourceConfiguration                any `json:"KinesisStreamSourceConfiguration"`
	MSKSourceConfiguration                          any `json:"MSKSourceConfiguration"`
	DeliveryStreamEncryptionConfigurationInput      any `json:"DeliveryStreamEncryptionConfigurationInput"`
	RedshiftDestinationConfiguration                any `json:"RedshiftDestinationConfiguration"`
	ElasticsearchDestinationConfiguration           any `json:"ElasticsearchDestinationConfiguration"`
	AmazonopensearchserviceDestinationConfiguration any `json:"AmazonopensearchserviceDestinationConfiguration"`
	SplunkDestinationConfiguration                  any `json:"SplunkDestinationConfiguration"`
	HttpEndpointDestinationConfiguration            any `json:"HttpEndpointDestinationConfiguration"`
	SnowflakeDestinationConfiguration               any `json:"SnowflakeDestinationConfiguration"`
	IcebergDestinationConfiguration                 any `json:"IcebergDestinationConfiguration"`
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
	S3BackupMode            string            `json:"S3BackupMode"`
	ProcessingConfiguration *processingConfig `json:"ProcessingConfiguration,omitempty"`
}

type destinationOut struct {
	DestinationId                    string        `json:"DestinationId"`
	S3DestinationDescription         s3Out         `json:"S3DestinationDescription"`
	ExtendedS3DestinationDescription extendedS3Out `json:"ExtendedS3DestinationDescription"`
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
