package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/events"
)

// Conversions between record batches and the aws-lambda-go event shapes,
// so each handler form runs on both a batch (wasm kind 2) and a JSON event
// (wasm kind 1 or Lambda).

func kinesisEvent(b *Batch) events.KinesisEvent {
	region := os.Getenv("AWS_REGION")
	recs := make([]events.KinesisEventRecord, len(b.Records))
	for i := range b.Records {
		r := &b.Records[i]
		recs[i] = events.KinesisEventRecord{
			AwsRegion: region, EventID: b.Context.ShardID + ":" + r.SequenceNumber,
			EventName: "aws:kinesis:record", EventSource: "aws:kinesis",
			EventSourceArn: b.Context.StreamARN, EventVersion: "1.0",
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: r.ArrivalTime},
				Data:                        r.Data, PartitionKey: r.PartitionKey,
				SequenceNumber: r.SequenceNumber, KinesisSchemaVersion: "1.0",
			},
		}
	}
	return events.KinesisEvent{Records: recs}
}

func firehoseEvent(b *Batch) events.KinesisFirehoseEvent {
	recs := make([]events.KinesisFirehoseEventRecord, len(b.Records))
	for i := range b.Records {
		r := &b.Records[i]
		recs[i] = events.KinesisFirehoseEventRecord{
			RecordID:                    r.RecordID,
			ApproximateArrivalTimestamp: events.MilliSecondsEpochTime{Time: r.ArrivalTime},
			Data:                        r.Data,
		}
	}
	return events.KinesisFirehoseEvent{
		DeliveryStreamArn: b.Context.StreamARN, Region: os.Getenv("AWS_REGION"), Records: recs,
	}
}

func failuresOf(f []events.KinesisBatchItemFailure) []string {
	s := make([]string, len(f))
	for i := range f {
		s[i] = f[i].ItemIdentifier
	}
	return s
}

func applyFirehose(b *Batch, resp events.KinesisFirehoseResponse) error {
	byID := make(map[string]int, len(b.Records))
	for i := range b.Records {
		byID[b.Records[i].RecordID] = i
	}
	for _, r := range resp.Records {
		i, ok := byID[r.RecordID]
		if !ok {
			return errors.New("sdk: response names unknown recordId " + r.RecordID)
		}
		res := RecordResult{Data: r.Data, PartitionKeys: r.Metadata.PartitionKeys}
		switch r.Result {
		case events.KinesisFirehoseTransformedStateOk:
		case events.KinesisFirehoseTransformedStateDropped:
			res = RecordResult{Status: Dropped}
		default:
			res = RecordResult{Status: ProcessingFailed}
		}
		b.Results[i] = res
	}
	return nil
}

// runBatch runs a typed event handler on a batch.
func (h *handler) runBatch(ctx context.Context, b *Batch) error {
	switch {
	case h.batch != nil:
		return h.batch(ctx, b)
	case h.kinesis != nil:
		resp, err := h.kinesis(ctx, kinesisEvent(b))
		b.Failed = failuresOf(resp.BatchItemFailures)
		return err
	case h.firehose != nil:
		resp, err := h.firehose(ctx, firehoseEvent(b))
		if err != nil {
			return err
		}
		return applyFirehose(b, resp)
	case h.window != nil:
		ev := events.KinesisTimeWindowEvent{KinesisEvent: kinesisEvent(b)}
		ev.ShardID, ev.EventSourceARN = b.Context.ShardID, b.Context.StreamARN
		ev.IsFinalInvokeForWindow, ev.IsWindowTerminatedEarly = b.Context.FinalInvokeForWindow, b.Context.WindowTerminatedEarly
		if w := b.Context.Window; w != nil {
			ev.Window = events.Window{Start: events.RFC3339EpochTime{Time: w.Start}, End: events.RFC3339EpochTime{Time: w.End}}
		}
		if len(b.Context.State) > 0 {
			if err := json.Unmarshal(b.Context.State, &ev.State); err != nil {
				return err
			}
		}
		resp, err := h.window(ctx, ev)
		if err != nil {
			return err
		}
		b.Failed = failuresOf(resp.BatchItemFailures)
		b.State, err = json.Marshal(resp.State)
		return err
	}
	return errors.New("sdk: this handler takes JSON events, not record batches; use a *sdk.Batch, KinesisEvent, KinesisFirehoseEvent or KinesisTimeWindowEvent handler")
}

// batchJSON runs the batch form on a JSON KinesisEvent or
// KinesisFirehoseEvent (Lambda, or wasm kind 1) and answers the matching
// response.
func (h *handler) batchJSON(ctx context.Context, payload []byte) ([]byte, error) {
	var probe struct {
		DeliveryStreamArn string `json:"deliveryStreamArn"`
		InvocationID      string `json:"invocationId"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, err
	}
	b := &Batch{}
	if probe.DeliveryStreamArn != "" || probe.InvocationID != "" {
		var ev events.KinesisFirehoseEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		b.Context.StreamARN = ev.DeliveryStreamArn
		for _, r := range ev.Records {
			b.Records = append(b.Records, Record{RecordID: r.RecordID, ArrivalTime: r.ApproximateArrivalTimestamp.Time, Data: r.Data})
		}
		b.reset()
		if err := h.batch(ctx, b); err != nil {
			return nil, err
		}
		resp := events.KinesisFirehoseResponse{Records: make([]events.KinesisFirehoseResponseRecord, len(b.Records))}
		for i, res := range b.Results {
			out := &resp.Records[i]
			out.RecordID, out.Data, out.Metadata.PartitionKeys = b.Records[i].RecordID, res.Data, res.PartitionKeys
			if res.Data == nil {
				out.Data = b.Records[i].Data
			}
			out.Result = [...]string{"Ok", "Dropped", "ProcessingFailed"}[res.Status%3]
		}
		return json.Marshal(resp)
	}
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	for _, r := range ev.Records {
		b.Context.StreamARN, b.Context.ShardID = r.EventSourceArn, shardOf(r.EventID)
		b.Records = append(b.Records, Record{
			SequenceNumber: r.Kinesis.SequenceNumber, PartitionKey: r.Kinesis.PartitionKey,
			ArrivalTime: r.Kinesis.ApproximateArrivalTimestamp.Time, Data: r.Kinesis.Data,
		})
	}
	b.reset()
	if err := h.batch(ctx, b); err != nil {
		return nil, err
	}
	resp := events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}
	for _, s := range b.Failed {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: s})
	}
	return json.Marshal(resp)
}

// shardOf takes the shard id out of an eventID "shardId-…:sequenceNumber".
func shardOf(eventID string) string {
	for i := range len(eventID) {
		if eventID[i] == ':' {
			return eventID[:i]
		}
	}
	return ""
}
