// Command videoprobe is the function the video event source mapping tests
// (triggers/runner/videotest) deploy as WebAssembly. It takes a fragment
// event ({"Records":[…]}, see docs/mappings.md) and:
//
//   - with FAIL=1 in its environment, fails the whole batch;
//   - reports in batchItemFailures every record whose eventID is one of
//     the comma-separated fragment numbers in FAIL_IDS;
//   - otherwise succeeds, answering {"batchItemFailures":[]}.
package main

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/kinesin/kinesin/sdk"
)

type event struct {
	Records []struct {
		EventID      string `json:"eventID"`
		KinesisVideo struct {
			FragmentNumber string `json:"fragmentNumber"`
		} `json:"kinesisVideo"`
	} `json:"Records"`
}

type failure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

type response struct {
	BatchItemFailures []failure `json:"batchItemFailures"`
}

func handle(_ context.Context, ev event) (response, error) {
	if os.Getenv("FAIL") == "1" {
		return response{}, errors.New("videoprobe: asked to fail")
	}
	failIDs := map[string]bool{}
	for _, id := range strings.Split(os.Getenv("FAIL_IDS"), ",") {
		if id != "" {
			failIDs[id] = true
		}
	}
	out := response{BatchItemFailures: []failure{}}
	for _, r := range ev.Records {
		if r.EventID != r.KinesisVideo.FragmentNumber {
			return response{}, errors.New("videoprobe: eventID is not the fragment number")
		}
		if failIDs[r.EventID] {
			out.BatchItemFailures = append(out.BatchItemFailures, failure{ItemIdentifier: r.EventID})
		}
	}
	return out, nil
}

func init() { sdk.Start(handle) }

// main never runs as WebAssembly (a reactor runs only initialisation); as a
// Lambda bootstrap, Start never returns.
func main() {}
