// Command recorder is a test Lambda function: for each batch it appends one
// line per record, "shardId sequenceNumber data", to the file named by $OUT
// in a single write, so that processes sharing the file never interleave
// a batch.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, ev events.KinesisEvent) error {
	var b strings.Builder
	for _, r := range ev.Records {
		shard, _, _ := strings.Cut(r.EventID, ":")
		fmt.Fprintf(&b, "%s %s %s\n", shard, r.Kinesis.SequenceNumber, r.Kinesis.Data)
	}
	f, err := os.OpenFile(os.Getenv("OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	// A little work per batch keeps batches in flight when a process dies.
	time.Sleep(2 * time.Millisecond)
	_, err = f.WriteString(b.String())
	return err
}

func main() { lambda.Start(handle) }
