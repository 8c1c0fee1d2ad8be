// Command firehose-orders is a Firehose data transformation (the Lambda
// processor of a delivery stream) for order records such as
//
//	{"customer":"acme","amount":12.5,"ts":"2026-11-26T08:00:00Z"}
//
// It adds "amount_cents" (the amount in whole cents), answers each order's
// customer as the partition key "customer" (read in a Prefix with
// !{partitionKeyFromLambda:customer}), drops test orders ("test":true) and
// fails records that are not JSON orders (they reach the delivery stream's
// ErrorOutputPrefix as processing-failed).
//
// It is a plain aws-lambda-go KinesisFirehoseEvent handler, so the same
// source runs on kinesin's WebAssembly runtime and on AWS Lambda:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o orders.wasm .
//	GOOS=linux GOARCH=amd64 go build -tags lambda.norpc -o bootstrap .
//
// A pipeline file's functions: section builds it for you (path: the
// directory of this package).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(transform) }

func main() {}

func transform(_ context.Context, ev events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error) {
	resp := events.KinesisFirehoseResponse{Records: make([]events.KinesisFirehoseResponseRecord, 0, len(ev.Records))}
	for _, r := range ev.Records {
		out := events.KinesisFirehoseResponseRecord{RecordID: r.RecordID, Data: r.Data}
		data, customer, err := enrich(r.Data)
		switch {
		case err != nil:
			// Firehose writes the original data to the error output; the
			// log line is the function's log.
			fmt.Printf("record %s: %v\n", r.RecordID, err)
			out.Result = events.KinesisFirehoseTransformedStateProcessingFailed
		case data == nil:
			out.Result = events.KinesisFirehoseTransformedStateDropped
		default:
			out.Result, out.Data = events.KinesisFirehoseTransformedStateOk, data
			out.Metadata.PartitionKeys = map[string]string{"customer": customer}
		}
		resp.Records = append(resp.Records, out)
	}
	return resp, nil
}

// enrich answers the record with amount_cents added and its customer, nil
// data for a test order, or an error for a record that is not an order.
func enrich(data []byte) ([]byte, string, error) {
	var order map[string]any
	if err := json.Unmarshal(data, &order); err != nil {
		return nil, "", fmt.Errorf("not a JSON object: %w", err)
	}
	if test, _ := order["test"].(bool); test {
		return nil, "", nil
	}
	customer, _ := order["customer"].(string)
	if customer == "" {
		return nil, "", fmt.Errorf("no customer")
	}
	amount, ok := order["amount"].(float64)
	if !ok {
		return nil, "", fmt.Errorf("amount is not a number")
	}
	order["amount_cents"] = int64(math.Round(amount * 100))
	out, err := json.Marshal(order)
	if err != nil {
		return nil, "", fmt.Errorf("encode: %w", err)
	}
	return out, customer, nil
}
