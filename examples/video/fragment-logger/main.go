// Command fragment-logger is the function of the video example: an event
// source mapping invokes it with batches of fragment events of a Kinesis
// Video stream (docs/mappings.md, "Kinesis Video streams as a source"),
// and it prints one line per fragment, which `kinesin functions logs
// fragment-logger` shows. It builds for kinesin's WebAssembly runtime
// (kinesin apply does that) and as a Lambda bootstrap:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o logger.wasm .
//	GOOS=linux go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/kinesin/kinesin/sdk"
)

// event is a batch of fragment events, with the members this function
// reads.
type event struct {
	Records []struct {
		EventID      string `json:"eventID"`
		KinesisVideo struct {
			StreamName                   string  `json:"streamName"`
			FragmentNumber               string  `json:"fragmentNumber"`
			ProducerTimestamp            float64 `json:"producerTimestamp"`
			ServerTimestamp              float64 `json:"serverTimestamp"`
			FragmentLengthInMilliseconds int64   `json:"fragmentLengthInMilliseconds"`
			FragmentSizeInBytes          int64   `json:"fragmentSizeInBytes"`
		} `json:"kinesisVideo"`
	} `json:"Records"`
}

type response struct {
	BatchItemFailures []struct{} `json:"batchItemFailures"`
}

func handle(_ context.Context, ev event) (response, error) {
	for _, r := range ev.Records {
		f := r.KinesisVideo
		fmt.Printf("fragment %s of %s: producer time %s, %d ms, %d bytes\n",
			f.FragmentNumber, f.StreamName, epoch(f.ProducerTimestamp).Format("15:04:05.000"),
			f.FragmentLengthInMilliseconds, f.FragmentSizeInBytes)
	}
	return response{BatchItemFailures: []struct{}{}}, nil
}

// epoch converts epoch seconds with a fraction, as the event has them.
func epoch(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC()
}

func init() { sdk.Start(handle) }

func main() {}
