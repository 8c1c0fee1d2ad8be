// Command kdafunc is an aws-lambda-go function for the host tests, built as
// a provided.al2023 package. It answers the two events a Kinesis Data
// Analytics application sends a function:
//
//   - an output delivery event (records carry lambdaDeliveryRecordMetadata):
//     a record whose data holds "RTRY" is DeliveryFailed while its
//     retryHint is 0, every other record Ok;
//   - an input preprocessing event (it carries streamArn): data "drop" is
//     Dropped, "fail" ProcessingFailed, anything else Ok and upper-cased.
package main

import (
	"bytes"
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	StreamARN string `json:"streamArn"`
	Records   []struct {
		RecordID string `json:"recordId"`
		Data     []byte `json:"data"`
		Delivery *struct {
			RetryHint int64 `json:"retryHint"`
		} `json:"lambdaDeliveryRecordMetadata"`
	} `json:"records"`
}

type result struct {
	RecordID string `json:"recordId"`
	Result   string `json:"result"`
	Data     []byte `json:"data,omitempty"`
}

func handle(_ context.Context, ev event) (map[string][]result, error) {
	out := make([]result, 0, len(ev.Records))
	for _, r := range ev.Records {
		res := result{RecordID: r.RecordID, Result: "Ok"}
		switch {
		case r.Delivery != nil:
			if bytes.Contains(r.Data, []byte("RTRY")) && r.Delivery.RetryHint == 0 {
				res.Result = "DeliveryFailed"
			}
		case string(r.Data) == "drop":
			res.Result = "Dropped"
		case string(r.Data) == "fail":
			res.Result = "ProcessingFailed"
		default:
			res.Data = bytes.ToUpper(r.Data)
		}
		out = append(out, res)
	}
	return map[string][]result{"records": out}, nil
}

func main() {
	lambda.Start(handle)
}
