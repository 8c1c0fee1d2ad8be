package kinesis

import (
	"context"
	"fmt"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/awsproto"
)

// PutEntry is one record of PutRecords for another kinesin component.
type PutEntry struct {
	PartitionKey string
	// ExplicitHashKey overrides the partition key's hash when not empty.
	ExplicitHashKey string
	Data            []byte
}

// PutResult is one entry's outcome, as PutRecords answers it: ShardID and
// SequenceNumber, or ErrorCode (ProvisionedThroughputExceededException,
// InternalFailure) and ErrorMessage.
type PutResult struct {
	ShardID        string
	SequenceNumber string
	ErrorCode      string
	ErrorMessage   string
}

// PutRecords stores entries in the stream with ARN streamARN for another
// kinesin component (the Firehose "kinesis stream" destination). The
// request goes through the PutRecords operation itself — its checks
// (ValidationException, 1 to 500 entries, record and 5 MiB request size
// limits), shard routing, throttling, sequencing and metrics — so the
// records are stored exactly as a PutRecords call stores them. An error
// is the Kinesis API error (*awserr.Error) the whole request failed with,
// such as ResourceNotFoundException; per-entry failures are in the
// results, in the entries' order.
func (s *Service) PutRecords(ctx context.Context, streamARN string, entries []PutEntry) ([]PutResult, error) {
	in := putRecordsIn{streamRef: streamRef{StreamARN: &streamARN}, Records: make([]putRecordsEntry, len(entries)), hasRecords: true}
	for i := range entries {
		e := &entries[i]
		key := e.PartitionKey
		in.Records[i] = putRecordsEntry{Data: blob(e.Data), PartitionKey: &key}
		if e.ExplicitHashKey != "" {
			h := e.ExplicitHashKey
			in.Records[i].ExplicitHashKey = &h
		}
		if in.Records[i].Data == nil {
			in.Records[i].Data = blob{}
		}
	}
	// The operation decodes its request from a body; CBOR carries the data
	// as byte strings, without base64.
	body, err := awsproto.CBOR.Marshal(&in)
	if err != nil {
		return nil, fmt.Errorf("kinesis: encoding PutRecords: %w", err)
	}
	out, err := s.putRecords(&call{ctx: ctx, enc: awsproto.CBOR, body: body})
	if err != nil {
		return nil, err
	}
	res, ok := out.(putRecordsOut)
	if !ok {
		return nil, awserr.InternalFailure.New("Internal service failure.")
	}
	results := make([]PutResult, len(res.Records))
	for i, r := range res.Records {
		results[i] = PutResult{ShardID: r.ShardId, SequenceNumber: r.SequenceNumber, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	}
	return results, nil
}
