package firehose

import (
	"fmt"
	"regexp"

	"github.com/kinesin/kinesin/internal/awserr"
)

// Constraints of the Firehose_20150804 model.
var (
	nameRe      = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	roleARNRe   = regexp.MustCompile(`^arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+$`)
	bucketARNRe = regexp.MustCompile(`^arn:.*:s3:::[\w\.\-]{1,255}$`)
	prefixRe    = regexp.MustCompile(`^.*$`)
	versionRe   = regexp.MustCompile(`^[0-9]+$`)
	tagKeyRe    = regexp.MustCompile(`^(?s)[\p{L}\p{Z}\p{N}_.:/=+\-@%]*$`)
)

const (
	namePattern      = "[a-zA-Z0-9_.-]+"
	roleARNPattern   = `arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+`
	bucketARNPattern = `arn:.*:s3:::[\w\.\-]{1,255}`
	tagKeyPattern    = `^(?!aws:)[\p{L}\p{Z}\p{N} _.:\/=+\-@%]*$`
)

// Limits of PutRecord(Batch).
const (
	maxRecordBytes  = 1000 * 1024 // 1,000 KiB per record
	maxBatchBytes   = 4 << 20     // 4 MiB per PutRecordBatch
	maxBatchRecords = 500
)

// checkString checks a string member: present when required, then
// pattern (when re is given), then length, the order Firehose reports them.
func checkString(v *awserr.Violations, s *string, path string, min, max int, re *regexp.Regexp, pattern string, required bool) {
	if s == nil {
		if required {
			v.Null(path)
		}
		return
	}
	if re != nil {
		v.Match(s, path, re, pattern)
	}
	v.Length(s, path, min, max)
}

func checkName(v *awserr.Violations, s *string, path string, required bool) {
	checkString(v, s, path, 1, 64, nameRe, namePattern, required)
}

func checkTags(v *awserr.Violations, tags []tag, path string, min, max int) {
	if tags == nil {
		return
	}
	if len(tags) < min {
		v.Add(awserr.ObjectListValue("Tag", len(tags)), path, awserr.MinLen(min))
	}
	if len(tags) > max {
		v.Add(awserr.ObjectListValue("Tag", len(tags)), path, awserr.MaxLen(max))
	}
	for i, t := range tags {
		p := fmt.Sprintf("%s.%d.member", path, i+1)
		checkString(v, t.Key, p+".key", 1, 128, tagKeyRe, tagKeyPattern, true)
		checkString(v, t.Value, p+".value", 0, 256, tagKeyRe, tagKeyPattern, false)
	}
}

func checkS3(v *awserr.Violations, c *s3Config, path string) {
	if c == nil {
		return
	}
	checkString(v, c.RoleARN, path+".roleARN", 1, 512, roleARNRe, roleARNPattern, true)
	checkString(v, c.BucketARN, path+".bucketARN", 1, 2048, bucketARNRe, bucketARNPattern, true)
	checkString(v, c.Prefix, path+".prefix", 0, 1024, prefixRe, ".*", false)
	checkString(v, c.ErrorOutputPrefix, path+".errorOutputPrefix", 0, 1024, prefixRe, ".*", false)
	if h := c.BufferingHints; h != nil {
		v.Range(h.SizeInMBs, path+".bufferingHints.sizeInMBs", 1, 128)
		v.Range(h.IntervalInSeconds, path+".bufferingHints.intervalInSeconds", 0, 900)
	}
	v.OneOf(c.CompressionFormat, path+".compressionFormat", "UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
	v.OneOf(c.S3BackupMode, path+".s3BackupMode", "Disabled", "Enabled")
	checkS3(v, c.S3BackupConfiguration, path+".s3BackupConfiguration")
}

func checkCreate(v *awserr.Violations, in *createIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	v.OneOf(in.DeliveryStreamType, "deliveryStreamType", "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	checkS3(v, in.S3DestinationConfiguration, "s3DestinationConfiguration")
	checkS3(v, in.ExtendedS3DestinationConfiguration, "extendedS3DestinationConfiguration")
	checkTags(v, in.Tags, "tags", 1, 50)
}

func checkDescribe(v *awserr.Violations, in *describeIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	v.Range(in.Limit, "limit", 1, 10000)
	checkString(v, in.ExclusiveStartDestinationId, "exclusiveStartDestinationId", 1, 100, nameRe, namePattern, false)
}

func checkList(v *awserr.Violations, in *listIn) {
	v.Range(in.Limit, "limit", 1, 10000)
	v.OneOf(in.DeliveryStreamType, "deliveryStreamType", "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	checkName(v, in.ExclusiveStartDeliveryStreamName, "exclusiveStartDeliveryStreamName", false)
}

func checkRecord(v *awserr.Violations, r *record, path string) {
	if !v.Required(r != nil, path) {
		return
	}
	if !v.Required(r.Data != nil, path+".data") {
		return
	}
	if n := len(*r.Data); n > maxRecordBytes {
		v.Add(awserr.BlobValue(n), path+".data", awserr.MaxLen(maxRecordBytes))
	}
}

func checkPutRecord(v *awserr.Violations, in *putRecordIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	checkRecord(v, in.Record, "record")
}

func checkPutBatch(v *awserr.Violations, in *putBatchIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	if !v.Required(in.Records != nil, "records") {
		return
	}
	if n := len(in.Records); n < 1 || n > maxBatchRecords {
		c := awserr.MinLen(1)
		if n > maxBatchRecords {
			c = awserr.MaxLen(maxBatchRecords)
		}
		v.Add(awserr.ObjectListValue("Record", n), "records", c)
	}
	for i := range in.Records {
		checkRecord(v, &in.Records[i], fmt.Sprintf("records.%d.member", i+1))
	}
}

func checkTag(v *awserr.Violations, in *tagIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	if !v.Required(in.Tags != nil, "tags") {
		return
	}
	checkTags(v, in.Tags, "tags", 1, 50)
}

func checkUntag(v *awserr.Violations, in *untagIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	if !v.Required(in.TagKeys != nil, "tagKeys") {
		return
	}
	if n := len(in.TagKeys); n < 1 || n > 50 {
		c := awserr.MinLen(1)
		if n > 50 {
			c = awserr.MaxLen(50)
		}
		v.Add(awserr.ListValue(in.TagKeys), "tagKeys", c)
	}
}

func checkListTags(v *awserr.Violations, in *listTagsIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	v.Range(in.Limit, "limit", 1, 50)
	checkString(v, in.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128, nil, "", false)
}
