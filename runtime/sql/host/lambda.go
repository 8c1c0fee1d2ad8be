package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Functions invokes a function synchronously with a JSON event and answers
// its response, as Lambda's RequestResponse Invoke does. functionError is
// "" or "Unhandled" (the function failed; response is its error document).
// functions.Service implements it (with the function's concurrency slots
// and logs).
type Functions interface {
	Invoke(ctx context.Context, name, qualifier string, payload []byte) (response []byte, functionError string, err error)
}

// Input preprocessing event (KinesisAnalyticsStreamsInputPreprocessingEvent
// and KinesisAnalyticsFirehoseInputPreprocessingEvent) and its response.
type preprocessEvent struct {
	InvocationID   string             `json:"invocationId"`
	ApplicationARN string             `json:"applicationArn"`
	StreamARN      string             `json:"streamArn"`
	Records        []preprocessRecord `json:"records"`
}

type preprocessRecord struct {
	RecordID string                  `json:"recordId"`
	Stream   *streamRecordMetadata   `json:"kinesisStreamRecordMetadata,omitempty"`
	Firehose *firehoseRecordMetadata `json:"kinesisFirehoseRecordMetadata,omitempty"`
	Data     []byte                  `json:"data"`
}

type streamRecordMetadata struct {
	SequenceNumber              string `json:"sequenceNumber"`
	PartitionKey                string `json:"partitionKey"`
	ShardID                     string `json:"shardId"`
	ApproximateArrivalTimestamp int64  `json:"approximateArrivalTimestamp"`
}

type firehoseRecordMetadata struct {
	ApproximateArrivalTimestamp int64 `json:"approximateArrivalTimestamp"`
}

type preprocessResponse struct {
	Records []struct {
		RecordID string `json:"recordId"`
		Result   string `json:"result"`
		Data     []byte `json:"data"`
	} `json:"records"`
}

// Preprocessing results.
const (
	resultOk               = "Ok"
	resultDropped          = "Dropped"
	resultProcessingFailed = "ProcessingFailed"
	resultDeliveryFailed   = "DeliveryFailed"
)

// processed is one record's preprocessing outcome.
type processed struct {
	result string
	data   []byte
}

// decodePreprocess maps a response onto the records by recordId: a record
// the function left out, or with an unknown result, failed.
func decodePreprocess(ids []string, payload []byte) ([]processed, error) {
	out := make([]processed, len(ids))
	for i := range out {
		out[i].result = resultProcessingFailed
	}
	var resp preprocessResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return out, fmt.Errorf("invalid response from the preprocessing function: %w", err)
	}
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	for _, r := range resp.Records {
		i, ok := index[r.RecordID]
		if !ok {
			continue
		}
		switch r.Result {
		case resultOk:
			out[i] = processed{result: resultOk, data: r.Data}
		case resultDropped:
			out[i] = processed{result: resultDropped}
		}
	}
	return out, nil
}

// Output delivery event (KinesisAnalyticsOutputDeliveryEvent) and response.
type deliveryEvent struct {
	InvocationID   string           `json:"invocationId"`
	ApplicationARN string           `json:"applicationArn"`
	Records        []deliveryRecord `json:"records"`
}

type deliveryRecord struct {
	RecordID string           `json:"recordId"`
	Metadata deliveryMetadata `json:"lambdaDeliveryRecordMetadata"`
	Data     []byte           `json:"data"`
}

type deliveryMetadata struct {
	RetryHint int64 `json:"retryHint"`
}

type deliveryResponse struct {
	Records []struct {
		RecordID string `json:"recordId"`
		Result   string `json:"result"`
	} `json:"records"`
}

// decodeDelivery answers, per record of the event, whether it was
// delivered (Ok); a record left out of the response failed.
func decodeDelivery(ev *deliveryEvent, payload []byte) ([]bool, error) {
	ok := make([]bool, len(ev.Records))
	var resp deliveryResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return ok, fmt.Errorf("invalid response from the output function: %w", err)
	}
	index := make(map[string]int, len(ev.Records))
	for i, r := range ev.Records {
		index[r.RecordID] = i
	}
	for _, r := range resp.Records {
		if i, found := index[r.RecordID]; found && r.Result == resultOk {
			ok[i] = true
		}
	}
	return ok, nil
}

// errFunction is a function's own failure (its error document).
type errFunction struct{ kind, body string }

func (e errFunction) Error() string { return "function error (" + e.kind + "): " + e.body }

// invokeJSON runs a function with a JSON event.
func invokeJSON(ctx context.Context, f Functions, name, qualifier string, ev any) ([]byte, error) {
	if f == nil {
		return nil, errors.New("host: no Functions configured to invoke " + name)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("host: encode event: %w", err)
	}
	resp, fnErr, err := f.Invoke(ctx, name, qualifier, payload)
	if err != nil {
		return nil, err
	}
	if fnErr != "" {
		return nil, errFunction{kind: fnErr, body: string(resp)}
	}
	return resp, nil
}
