package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kinesin/kinesin/runtime/engine"
)

// InvokeBatch runs a batch through the function: a KinesisEvent (a
// KinesisTimeWindowEvent when the batch has a window) for stream records,
// a KinesisFirehoseEvent when the records carry Firehose record ids.
func (e *Engine) InvokeBatch(ctx context.Context, fn *engine.Function, b engine.Batch) (engine.BatchResult, error) {
	firehose := len(b.Records) > 0 && b.Records[0].RecordID != ""
	var (
		payload []byte
		err     error
	)
	if firehose {
		payload, err = json.Marshal(firehoseEvent(fn, b))
	} else {
		payload, err = kinesisEvent(fn, b)
	}
	if err != nil {
		return engine.BatchResult{}, fmt.Errorf("lambda: encode batch: %w", err)
	}
	res, err := e.Invoke(ctx, fn, engine.Invocation{Payload: payload, Deadline: b.Context.Deadline})
	if err != nil {
		return engine.BatchResult{}, err
	}
	out := engine.BatchResult{Logs: res.Logs}
	if res.FunctionError != "" {
		var eb errorBody
		_ = json.Unmarshal(res.Payload, &eb)
		out.FunctionError, out.ErrorMessage = res.FunctionError, eb.ErrorMessage
		if out.ErrorMessage == "" {
			out.ErrorMessage = string(res.Payload)
		}
		return out, nil
	}
	if firehose {
		firehoseResult(b, res.Payload, &out)
	} else {
		kinesisResult(b, res.Payload, &out)
	}
	return out, nil
}

// invokeIdentityArn is the role Lambda reports it used to read the stream;
// a function here has no role, so the account's default one is named.
func invokeIdentityArn(fn *engine.Function) string {
	return "arn:aws:iam::" + fn.AccountID + ":role/kinesin-lambda"
}

func kinesisEvent(fn *engine.Function, b engine.Batch) ([]byte, error) {
	recs := make([]events.KinesisEventRecord, len(b.Records))
	for i, r := range b.Records {
		recs[i] = events.KinesisEventRecord{
			AwsRegion:         fn.Region,
			EventID:           b.Context.ShardID + ":" + r.SequenceNumber,
			EventName:         "aws:kinesis:record",
			EventSource:       "aws:kinesis",
			EventSourceArn:    b.Context.StreamARN,
			EventVersion:      "1.0",
			InvokeIdentityArn: invokeIdentityArn(fn),
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: r.ArrivalTime},
				Data:                        r.Data,
				PartitionKey:                r.PartitionKey,
				SequenceNumber:              r.SequenceNumber,
				KinesisSchemaVersion:        "1.0",
			},
		}
	}
	ev := events.KinesisEvent{Records: recs}
	w := b.Context.Window
	if w == nil {
		return json.Marshal(ev)
	}
	state := map[string]string{}
	if len(b.Context.State) > 0 {
		if err := json.Unmarshal(b.Context.State, &state); err != nil {
			return nil, fmt.Errorf("window state is not a JSON object of strings: %w", err)
		}
	}
	return json.Marshal(events.KinesisTimeWindowEvent{
		KinesisEvent: ev,
		TimeWindowProperties: events.TimeWindowProperties{
			Window:                  events.Window{Start: events.RFC3339EpochTime{Time: w.Start}, End: events.RFC3339EpochTime{Time: w.End}},
			State:                   state,
			ShardID:                 b.Context.ShardID,
			EventSourceARN:          b.Context.StreamARN,
			IsFinalInvokeForWindow:  b.Context.FinalInvokeForWindow,
			IsWindowTerminatedEarly: b.Context.WindowTerminatedEarly,
		},
	})
}

// kinesisResult maps batchItemFailures to Failed. As Lambda does, an item
// identifier that is empty or not in the batch fails the whole batch; a
// response that is not such a document is a success.
func kinesisResult(b engine.Batch, payload []byte, out *engine.BatchResult) {
	var resp events.KinesisTimeWindowEventResponse
	if len(bytes.TrimSpace(payload)) > 0 && json.Unmarshal(payload, &resp) != nil {
		resp = events.KinesisTimeWindowEventResponse{}
	}
	index := make(map[string]int, len(b.Records))
	for i, r := range b.Records {
		index[r.SequenceNumber] = i
	}
	out.Records = make([]engine.RecordResult, len(b.Records))
	for _, f := range resp.BatchItemFailures {
		i, ok := index[f.ItemIdentifier]
		if !ok {
			out.Failed = []string{b.Records[0].SequenceNumber}
			for j := range out.Records {
				out.Records[j].Status = engine.ProcessingFailed
			}
			break
		}
		out.Failed = append(out.Failed, f.ItemIdentifier)
		out.Records[i].Status = engine.ProcessingFailed
	}
	if b.Context.Window != nil && resp.State != nil {
		out.State, _ = json.Marshal(resp.State)
	}
}

func firehoseEvent(fn *engine.Function, b engine.Batch) events.KinesisFirehoseEvent {
	recs := make([]events.KinesisFirehoseEventRecord, len(b.Records))
	for i, r := range b.Records {
		recs[i] = events.KinesisFirehoseEventRecord{
			RecordID:                    r.RecordID,
			ApproximateArrivalTimestamp: events.MilliSecondsEpochTime{Time: r.ArrivalTime},
			Data:                        r.Data,
			KinesisFirehoseRecordMetadata: events.KinesisFirehoseRecordMetadata{
				ShardID:                     b.Context.ShardID,
				PartitionKey:                r.PartitionKey,
				SequenceNumber:              r.SequenceNumber,
				ApproximateArrivalTimestamp: events.MilliSecondsEpochTime{Time: r.ArrivalTime},
			},
		}
	}
	return events.KinesisFirehoseEvent{
		InvocationID:      newRequestID(),
		DeliveryStreamArn: b.Context.StreamARN,
		Region:            fn.Region,
		Records:           recs,
	}
}

// firehoseResult maps each returned record to its input by recordId; a
// record missing from the answer, or with an unknown result, failed.
func firehoseResult(b engine.Batch, payload []byte, out *engine.BatchResult) {
	out.Records = make([]engine.RecordResult, len(b.Records))
	for i := range out.Records {
		out.Records[i].Status = engine.ProcessingFailed
	}
	var resp events.KinesisFirehoseResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		out.ErrorMessage = "Invalid response from the function: " + err.Error()
		return
	}
	index := make(map[string]int, len(b.Records))
	for i, r := range b.Records {
		index[r.RecordID] = i
	}
	for _, r := range resp.Records {
		i, ok := index[r.RecordID]
		if !ok {
			continue
		}
		rr := engine.RecordResult{Data: r.Data, PartitionKeys: r.Metadata.PartitionKeys}
		switch r.Result {
		case events.KinesisFirehoseTransformedStateOk:
			rr.Status = engine.Ok
		case events.KinesisFirehoseTransformedStateDropped:
			rr.Status = engine.Dropped
		default:
			rr.Status = engine.ProcessingFailed
		}
		out.Records[i] = rr
	}
}
