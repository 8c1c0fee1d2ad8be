// Command go-handler is a Lambda-style KinesisEvent handler that reports a
// batch item failure for every record whose data is "fail". The same source
// builds for kinesin's WebAssembly runtime and as a Lambda bootstrap:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o handler.wasm .
//	GOOS=linux GOARCH=amd64 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(handle) }

func main() {}

func handle(_ context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
	resp := events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}
	for _, r := range ev.Records {
		if string(r.Kinesis.Data) == "fail" {
			fmt.Println("failing record", r.Kinesis.SequenceNumber)
			resp.BatchItemFailures = append(resp.BatchItemFailures,
				events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
		}
	}
	return resp, nil
}
