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

func given(v *awserr.Violations, there bool, path string, required bool) bool {
	if !there && required {
		v.Null(path)
	}
	return there
}

func checkName(v *awserr.Violations, s *string, path string, required bool) {
	if !given(v, s != nil, path, required) {
		return
	}
	if !nameRe.MatchString(*s) {
		v.Add(*s, path, awserr.Pattern(namePattern))
	}
	if len(*s) < 1 {
		v.Add(*s, path, awserr.MinLen(1))
	}
	if len(*s) > 64 {
		v.Add(*s, path, awserr.MaxLen(64))
	}
}

func checkString(v *awserr.Violations, s *string, path string, min, max int, re *regexp.Regexp, pattern string, required bool) {
	if !given(v, s != nil, path, required) {
		return
	}
	if re != nil && !re.MatchString(*s) {
		v.Add(*s, path, awserr.Pattern(pattern))
	}
	if len(*s) < min {
		v.Add(*s, path, awserr.MinLen(min))
	}
	if len(*s) > max {
		v.Add(*s, path, awserr.MaxLen(max))
	}
}

func checkRange(v *awserr.Violations, n *int64, path string, min, max int64) {
	if n == nil {
		return
	}
	if *n < min {
		v.Add(fmt.Sprint(*n), path, awserr.MinVal(min))
	}
	if *n > max {
		v.Add(fmt.Sprint(*n), path, awserr.MaxVal(max))
	}
}

func checkEnum(v *awserr.Violations, s *string, path string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.Add(*s, path, awserr.Enum(values...))
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
		checkRange(v, h.SizeInMBs, path+".bufferingHints.sizeInMBs", 1, 128)
		checkRange(v, h.IntervalInSeconds, path+".bufferingHints.intervalInSeconds", 0, 900)
	}
	checkEnum(v, c.CompressionFormat, path+".compressionFormat", "UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
	checkEnum(v, c.S3BackupMode, path+".s3BackupMode", "Disabled", "Enabled")
	checkS3(v, c.S3BackupConfiguration, path+".s3BackupConfiguration")
}

func checkCreate(v *awserr.Violations, in *createIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	checkEnum(v, in.DeliveryStreamType, "deliveryStreamType", "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	checkS3(v, in.S3DestinationConfiguration, "s3DestinationConfiguration")
	checkS3(v, in.ExtendedS3DestinationConfiguration, "extendedS3DestinationConfiguration")
	checkTags(v, in.Tags, "tags", 1, 50)
}

func checkDescribe(v *awserr.Violations, in *describeIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	checkRange(v, in.Limit, "limit", 1, 10000)
	checkString(v, in.ExclusiveStartDestinationId, "exclusiveStartDestinationId", 1, 100, nameRe, namePattern, false)
}

func checkList(v *awserr.Violations, in *listIn) {
	checkRange(v, in.Limit, "limit", 1, 10000)
	checkEnum(v, in.DeliveryStreamType, "deliveryStreamType", "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	checkName(v, in.ExclusiveStartDeliveryStreamName, "exclusiveStartDeliveryStreamName", false)
}

func checkRecord(v *awserr.Violations, r *record, path string) {
	if !given(v, r != nil, path, true) {
		return
	}
	if !given(v, r.Data != nil, path+".data", true) {
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
	if !given(v, in.Records != nil, "records", true) {
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
	if !given(v, in.Tags != nil, "tags", true) {
		return
	}
	checkTags(v, in.Tags, "tags", 1, 50)
}

func checkUntag(v *awserr.Violations, in *untagIn) {
	checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	if !given(v, in.TagKeys != nil, "tagKeys", true) {
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
	checkRange(v, in.Limit, "limit", 1, 50)
	checkString(v, in.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128, nil, "", false)
}
