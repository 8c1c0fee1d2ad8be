package firehose

import (
	"context"
	"fmt"

	"github.com/kinesin/kinesin/internal/awserr"
)

// PutRecordBatch appends records to a delivery stream for an in-process
// producer (a Kinesis Analytics application's KinesisFirehoseOutput): the
// same limits, checks and single append as the PutRecordBatch API, so the
// batch is stored whole or not at all. Errors are *awserr.Error, as the API
// answers them (ResourceNotFoundException for a delivery stream that does
// not exist or is not ACTIVE, InvalidArgumentException for a batch over
// the limits or a KinesisStreamAsSource delivery stream).
func (s *Service) PutRecordBatch(ctx context.Context, deliveryStreamName string, records [][]byte) error {
	var v awserr.Violations
	name := deliveryStreamName
	checkName(&v, &name, "deliveryStreamName", true)
	if n := len(records); n < 1 || n > maxBatchRecords {
		c := awserr.MinLen(1)
		if n > maxBatchRecords {
			c = awserr.MaxLen(maxBatchRecords)
		}
		v.Add(awserr.ObjectListValue("Record", n), "records", c)
	}
	total := 0
	for i, r := range records {
		if len(r) > maxRecordBytes {
			v.Add(awserr.BlobValue(len(r)), fmt.Sprintf("records.%d.member.data", i+1), awserr.MaxLen(maxRecordBytes))
		}
		total += len(r)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if total > maxBatchBytes {
		return invalidArgument.New("Records size exceeds 4 MB limit")
	}
	_, err := s.put(ctx, name, records)
	return err
}
