package kinesisdest

import (
	"context"

	"github.com/kinesin/kinesin/router/kinesis"
)

// ServicePutter is the Putter of the router's Kinesis service: records
// are stored through its PutRecords operation, exactly as a PutRecords
// call stores them.
func ServicePutter(s *kinesis.Service) Putter {
	return PutterFunc(func(ctx context.Context, streamARN string, entries []Entry) ([]EntryResult, error) {
		in := make([]kinesis.PutEntry, len(entries))
		for i, e := range entries {
			in[i] = kinesis.PutEntry{PartitionKey: e.PartitionKey, Data: e.Data}
		}
		res, err := s.PutRecords(ctx, streamARN, in)
		if err != nil {
			return nil, err
		}
		out := make([]EntryResult, len(res))
		for i, r := range res {
			out[i] = EntryResult{ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
		}
		return out, nil
	})
}
