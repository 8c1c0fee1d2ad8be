package kinesis

import (
	"github.com/kinesin/kinesin/router/awsproto"
)

// Wire shapes of Kinesis_20131202. Members are pointers where AWS tells a
// missing member ("Value null … Member must not be null") from a zero one.

type (
	ts   = awsproto.Timestamp
	blob = awsproto.Blob
)

type streamModeDetails struct {
	StreamMode *string `json:"StreamMode" cbor:"StreamMode"`
}

type hashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey" cbor:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey" cbor:"EndingHashKey"`
}

type sequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber" cbor:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty" cbor:"EndingSequenceNumber,omitempty"`
}

type shardOut struct {
	ShardId               string              `json:"ShardId" cbor:"ShardId"`
	ParentShardId         string              `json:"ParentShardId,omitempty" cbor:"ParentShardId,omitempty"`
	AdjacentParentShardId string              `json:"AdjacentParentShardId,omitempty" cbor:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRange        `json:"HashKeyRange" cbor:"HashKeyRange"`
	SequenceNumberRange   sequenceNumberRange `json:"SequenceNumberRange" cbor:"SequenceNumberRange"`
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics" cbor:"ShardLevelMetrics"`
}

type streamRef struct {
	StreamName *string `json:"StreamName" cbor:"StreamName"`
	StreamARN  *string `json:"StreamARN" cbor:"StreamARN"`
}

type createStreamIn struct {
	StreamName         *string            `json:"StreamName" cbor:"StreamName"`
	ShardCount         *int64             `json:"ShardCount" cbor:"ShardCount"`
	StreamModeDetails  *streamModeDetails `json:"StreamModeDetails" cbor:"StreamModeDetails"`
	Tags               map[string]string  `json:"Tags" cbor:"Tags"`
	MaxRecordSizeInKiB *int64             `json:"MaxRecordSizeInKiB" cbor:"MaxRecordSizeInKiB"`
}

type deleteStreamIn struct {
	streamRef
	EnforceConsumerDeletion *bool `json:"EnforceConsumerDeletion" cbor:"EnforceConsumerDeletion"`
}

type describeStreamIn struct {
	streamRef
	Limit                 *int64  `json:"Limit" cbor:"Limit"`
	ExclusiveStartShardId *string `json:"ExclusiveStartShardId" cbor:"ExclusiveStartShardId"`
}

type streamDescription struct {
	StreamName              string            `json:"StreamName" cbor:"StreamName"`
	StreamARN               string            `json:"StreamARN" cbor:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus" cbor:"StreamStatus"`
	StreamModeDetails       streamModeOut     `json:"StreamModeDetails" cbor:"StreamModeDetails"`
	Shards                  []shardOut        `json:"Shards" cbor:"Shards"`
	HasMoreShards           bool              `json:"HasMoreShards" cbor:"HasMoreShards"`
	RetentionPeriodHours    int               `json:"RetentionPeriodHours" cbor:"RetentionPeriodHours"`
	StreamCreationTimestamp ts                `json:"StreamCreationTimestamp" cbor:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring" cbor:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType" cbor:"EncryptionType"`
	KeyId                   string            `json:"KeyId,omitempty" cbor:"KeyId,omitempty"`
}

type streamModeOut struct {
	StreamMode string `json:"StreamMode" cbor:"StreamMode"`
}

type streamDescriptionSummary struct {
	StreamName              string            `json:"StreamName" cbor:"StreamName"`
	StreamARN               string            `json:"StreamARN" cbor:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus" cbor:"StreamStatus"`
	StreamModeDetails       streamModeOut     `json:"StreamModeDetails" cbor:"StreamModeDetails"`
	RetentionPeriodHours    int               `json:"RetentionPeriodHours" cbor:"RetentionPeriodHours"`
	StreamCreationTimestamp ts                `json:"StreamCreationTimestamp" cbor:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring" cbor:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType" cbor:"EncryptionType"`
	KeyId                   string            `json:"KeyId,omitempty" cbor:"KeyId,omitempty"`
	OpenShardCount          int               `json:"OpenShardCount" cbor:"OpenShardCount"`
	ConsumerCount           int               `json:"ConsumerCount" cbor:"ConsumerCount"`
	MaxRecordSizeInKiB      int               `json:"MaxRecordSizeInKiB,omitempty" cbor:"MaxRecordSizeInKiB,omitempty"`
}

type listStreamsIn struct {
	Limit                    *int64  `json:"Limit" cbor:"Limit"`
	ExclusiveStartStreamName *string `json:"ExclusiveStartStreamName" cbor:"ExclusiveStartStreamName"`
	NextToken                *string `json:"NextToken" cbor:"NextToken"`
}

type streamSummary struct {
	StreamName              string        `json:"StreamName" cbor:"StreamName"`
	StreamARN               string        `json:"StreamARN" cbor:"StreamARN"`
	StreamStatus            string        `json:"StreamStatus" cbor:"StreamStatus"`
	StreamModeDetails       streamModeOut `json:"StreamModeDetails" cbor:"StreamModeDetails"`
	StreamCreationTimestamp ts            `json:"StreamCreationTimestamp" cbor:"StreamCreationTimestamp"`
}

type listStreamsOut struct {
	StreamNames     []string        `json:"StreamNames" cbor:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams" cbor:"HasMoreStreams"`
	NextToken       string          `json:"NextToken,omitempty" cbor:"NextToken,omitempty"`
	StreamSummaries []streamSummary `json:"StreamSummaries" cbor:"StreamSummaries"`
}

type shardFilter struct {
	Type      *string `json:"Type" cbor:"Type"`
	ShardId   *string `json:"ShardId" cbor:"ShardId"`
	Timestamp *ts     `json:"Timestamp" cbor:"Timestamp"`
}

type listShardsIn struct {
	streamRef
	NextToken               *string      `json:"NextToken" cbor:"NextToken"`
	ExclusiveStartShardId   *string      `json:"ExclusiveStartShardId" cbor:"ExclusiveStartShardId"`
	MaxResults              *int64       `json:"MaxResults" cbor:"MaxResults"`
	StreamCreationTimestamp *ts          `json:"StreamCreationTimestamp" cbor:"StreamCreationTimestamp"`
	ShardFilter             *shardFilter `json:"ShardFilter" cbor:"ShardFilter"`
}

type putRecordIn struct {
	streamRef
	Data                      blob    `json:"Data" cbor:"Data"`
	PartitionKey              *string `json:"PartitionKey" cbor:"PartitionKey"`
	ExplicitHashKey           *string `json:"ExplicitHashKey" cbor:"ExplicitHashKey"`
	SequenceNumberForOrdering *string `json:"SequenceNumberForOrdering" cbor:"SequenceNumberForOrdering"`
}

type putRecordOut struct {
	ShardId        string `json:"ShardId" cbor:"ShardId"`
	SequenceNumber string `json:"SequenceNumber" cbor:"SequenceNumber"`
	EncryptionType string `json:"EncryptionType,omitempty" cbor:"EncryptionType,omitempty"`
}

type putRecordsEntry struct {
	Data            blob    `json:"Data" cbor:"Data"`
	PartitionKey    *string `json:"PartitionKey" cbor:"PartitionKey"`
	ExplicitHashKey *string `json:"ExplicitHashKey" cbor:"ExplicitHashKey"`
}

type putRecordsIn struct {
	streamRef
	Records []putRecordsEntry `json:"Records" cbor:"Records"`
	// hasRecords tells an absent Records member from an empty list.
	hasRecords bool
}

type putRecordsResult struct {
	SequenceNumber string `json:"SequenceNumber,omitempty" cbor:"SequenceNumber,omitempty"`
	ShardId        string `json:"ShardId,omitempty" cbor:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty" cbor:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty" cbor:"ErrorMessage,omitempty"`
}

type putRecordsOut struct {
	FailedRecordCount int                `json:"FailedRecordCount" cbor:"FailedRecordCount"`
	Records           []putRecordsResult `json:"Records" cbor:"Records"`
	EncryptionType    string             `json:"EncryptionType,omitempty" cbor:"EncryptionType,omitempty"`
}

type getShardIteratorIn struct {
	streamRef
	ShardId                *string `json:"ShardId" cbor:"ShardId"`
	ShardIteratorType      *string `json:"ShardIteratorType" cbor:"ShardIteratorType"`
	StartingSequenceNumber *string `json:"StartingSequenceNumber" cbor:"StartingSequenceNumber"`
	Timestamp              *ts     `json:"Timestamp" cbor:"Timestamp"`
}

type getRecordsIn struct {
	ShardIterator *string `json:"ShardIterator" cbor:"ShardIterator"`
	Limit         *int64  `json:"Limit" cbor:"Limit"`
	StreamARN     *string `json:"StreamARN" cbor:"StreamARN"`
}

type recordOut struct {
	SequenceNumber              string `json:"SequenceNumber" cbor:"SequenceNumber"`
	ApproximateArrivalTimestamp ts     `json:"ApproximateArrivalTimestamp" cbor:"ApproximateArrivalTimestamp"`
	Data                        []byte `json:"Data" cbor:"Data"`
	PartitionKey                string `json:"PartitionKey" cbor:"PartitionKey"`
	EncryptionType              string `json:"EncryptionType,omitempty" cbor:"EncryptionType,omitempty"`
}

type childShard struct {
	ShardId      string       `json:"ShardId" cbor:"ShardId"`
	ParentShards []string     `json:"ParentShards" cbor:"ParentShards"`
	HashKeyRange hashKeyRange `json:"HashKeyRange" cbor:"HashKeyRange"`
}

type getRecordsOut struct {
	Records            []recordOut  `json:"Records" cbor:"Records"`
	NextShardIterator  *string      `json:"NextShardIterator,omitempty" cbor:"NextShardIterator,omitempty"`
	MillisBehindLatest int64        `json:"MillisBehindLatest" cbor:"MillisBehindLatest"`
	ChildShards        []childShard `json:"ChildShards,omitempty" cbor:"ChildShards,omitempty"`
}

type splitShardIn struct {
	streamRef
	ShardToSplit       *string `json:"ShardToSplit" cbor:"ShardToSplit"`
	NewStartingHashKey *string `json:"NewStartingHashKey" cbor:"NewStartingHashKey"`
}

type mergeShardsIn struct {
	streamRef
	ShardToMerge         *string `json:"ShardToMerge" cbor:"ShardToMerge"`
	AdjacentShardToMerge *string `json:"AdjacentShardToMerge" cbor:"AdjacentShardToMerge"`
}

type updateShardCountIn struct {
	streamRef
	TargetShardCount *int64  `json:"TargetShardCount" cbor:"TargetShardCount"`
	ScalingType      *string `json:"ScalingType" cbor:"ScalingType"`
}

type updateShardCountOut struct {
	StreamName        string `json:"StreamName" cbor:"StreamName"`
	CurrentShardCount int    `json:"CurrentShardCount" cbor:"CurrentShardCount"`
	TargetShardCount  int    `json:"TargetShardCount" cbor:"TargetShardCount"`
	StreamARN         string `json:"StreamARN" cbor:"StreamARN"`
}

type updateStreamModeIn struct {
	StreamARN         *string            `json:"StreamARN" cbor:"StreamARN"`
	StreamModeDetails *streamModeDetails `json:"StreamModeDetails" cbor:"StreamModeDetails"`
}

type retentionIn struct {
	streamRef
	RetentionPeriodHours *int64 `json:"RetentionPeriodHours" cbor:"RetentionPeriodHours"`
}

type addTagsIn struct {
	streamRef
	Tags map[string]string `json:"Tags" cbor:"Tags"`
}

type removeTagsIn struct {
	streamRef
	TagKeys []string `json:"TagKeys" cbor:"TagKeys"`
}

type listTagsForStreamIn struct {
	streamRef
	ExclusiveStartTagKey *string `json:"ExclusiveStartTagKey" cbor:"ExclusiveStartTagKey"`
	Limit                *int64  `json:"Limit" cbor:"Limit"`
}

type tag struct {
	Key   string `json:"Key" cbor:"Key"`
	Value string `json:"Value" cbor:"Value"`
}

type listTagsOut struct {
	Tags        []tag `json:"Tags" cbor:"Tags"`
	HasMoreTags *bool `json:"HasMoreTags,omitempty" cbor:"HasMoreTags,omitempty"`
}

type tagResourceIn struct {
	ResourceARN *string           `json:"ResourceARN" cbor:"ResourceARN"`
	Tags        map[string]string `json:"Tags" cbor:"Tags"`
}

type untagResourceIn struct {
	ResourceARN *string  `json:"ResourceARN" cbor:"ResourceARN"`
	TagKeys     []string `json:"TagKeys" cbor:"TagKeys"`
}

type describeLimitsOut struct {
	ShardLimit               int `json:"ShardLimit" cbor:"ShardLimit"`
	OpenShardCount           int `json:"OpenShardCount" cbor:"OpenShardCount"`
	OnDemandStreamCount      int `json:"OnDemandStreamCount" cbor:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit" cbor:"OnDemandStreamCountLimit"`
}

type monitoringIn struct {
	streamRef
	ShardLevelMetrics []string `json:"ShardLevelMetrics" cbor:"ShardLevelMetrics"`
}

type monitoringOut struct {
	StreamName               string   `json:"StreamName" cbor:"StreamName"`
	StreamARN                string   `json:"StreamARN" cbor:"StreamARN"`
	CurrentShardLevelMetrics []string `json:"CurrentShardLevelMetrics" cbor:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []string `json:"DesiredShardLevelMetrics" cbor:"DesiredShardLevelMetrics"`
}

type encryptionIn struct {
	streamRef
	EncryptionType *string `json:"EncryptionType" cbor:"EncryptionType"`
	KeyId          *string `json:"KeyId" cbor:"KeyId"`
}

type consumerIn struct {
	StreamARN    *string `json:"StreamARN" cbor:"StreamARN"`
	ConsumerName *string `json:"ConsumerName" cbor:"ConsumerName"`
	ConsumerARN  *string `json:"ConsumerARN" cbor:"ConsumerARN"`
}

type consumerOut struct {
	ConsumerName              string `json:"ConsumerName" cbor:"ConsumerName"`
	ConsumerARN               string `json:"ConsumerARN" cbor:"ConsumerARN"`
	ConsumerStatus            string `json:"ConsumerStatus" cbor:"ConsumerStatus"`
	ConsumerCreationTimestamp ts     `json:"ConsumerCreationTimestamp" cbor:"ConsumerCreationTimestamp"`
	StreamARN                 string `json:"StreamARN,omitempty" cbor:"StreamARN,omitempty"`
}

type listConsumersIn struct {
	StreamARN               *string `json:"StreamARN" cbor:"StreamARN"`
	NextToken               *string `json:"NextToken" cbor:"NextToken"`
	MaxResults              *int64  `json:"MaxResults" cbor:"MaxResults"`
	StreamCreationTimestamp *ts     `json:"StreamCreationTimestamp" cbor:"StreamCreationTimestamp"`
}

type startingPosition struct {
	Type           *string `json:"Type" cbor:"Type"`
	SequenceNumber *string `json:"SequenceNumber" cbor:"SequenceNumber"`
	Timestamp      *ts     `json:"Timestamp" cbor:"Timestamp"`
}

type subscribeIn struct {
	ConsumerARN      *string           `json:"ConsumerARN" cbor:"ConsumerARN"`
	ShardId          *string           `json:"ShardId" cbor:"ShardId"`
	StartingPosition *startingPosition `json:"StartingPosition" cbor:"StartingPosition"`
}

type subscribeEvent struct {
	Records                    []recordOut  `json:"Records" cbor:"Records"`
	ContinuationSequenceNumber *string      `json:"ContinuationSequenceNumber,omitempty" cbor:"ContinuationSequenceNumber,omitempty"`
	MillisBehindLatest         int64        `json:"MillisBehindLatest" cbor:"MillisBehindLatest"`
	ChildShards                []childShard `json:"ChildShards,omitempty" cbor:"ChildShards,omitempty"`
}

type maxRecordSizeIn struct {
	StreamARN          *string `json:"StreamARN" cbor:"StreamARN"`
	MaxRecordSizeInKiB *int64  `json:"MaxRecordSizeInKiB" cbor:"MaxRecordSizeInKiB"`
}
