package sdk_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kinesin/kinesin/sdk"
)

// A record transform in the batch form: no JSON on the record path. Build
// it with GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared for kinesin,
// or for Linux as a Lambda bootstrap.
func ExampleStart_batch() {
	transform := func(_ context.Context, b *sdk.Batch) error {
		for i, r := range b.Records {
			if len(r.Data) == 0 {
				b.Drop(i)
				continue
			}
			b.Set(i, []byte(strings.ToUpper(string(r.Data))))
		}
		return nil
	}
	// In a function's package: func init() { sdk.Start(transform) }
	sdk.Start(transform)
}

// A handler written for aws-lambda-go runs unchanged: on a record batch,
// kinesin converts it to a KinesisEvent and the response's batch item
// failures back to failed sequence numbers.
func ExampleStart_kinesisEvent() {
	handle := func(_ context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		var resp events.KinesisEventResponse
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == "fail" {
				resp.BatchItemFailures = append(resp.BatchItemFailures,
					events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
			}
		}
		return resp, nil
	}
	sdk.Start(handle)
}

// Any JSON handler works too, for Invoke.
func ExampleStart_json() {
	type order struct{ ID string }
	sdk.Start(func(_ context.Context, o order) (map[string]string, error) {
		return map[string]string{"accepted": o.ID}, nil
	})
}

func ExampleBatch() {
	b := &sdk.Batch{
		Records: []sdk.Record{{SequenceNumber: "1", Data: []byte("a")}, {SequenceNumber: "2"}, {SequenceNumber: "3", Data: []byte("bad")}},
		Results: make([]sdk.RecordResult, 3),
	}
	b.Set(0, []byte("A"))
	b.Drop(1)
	b.Fail(2)
	for _, r := range b.Results {
		fmt.Printf("%d %q\n", r.Status, r.Data)
	}
	fmt.Println("failed:", b.Failed)
	// Output:
	// 0 "A"
	// 1 ""
	// 2 ""
	// failed: [3]
}
