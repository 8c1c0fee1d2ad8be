// Command fn-lambda-udp is esmload's latency probe for the Lambda runtime
// (provided.al2023, aws-lambda-go). On each invocation it takes the time
// once, at handler start, and sends, for each record, the record's id (the
// first 8 bytes of its data, big-endian) and that time in Unix nanoseconds
// as 16 bytes of UDP datagrams to ESMLOAD_UDP (host:port).
//
//	GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"encoding/binary"
	"net"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// maxPairs per datagram keeps each well under loopback's 64 KiB.
const maxPairs = 2048

var conn net.Conn

func main() {
	c, err := net.Dial("udp", os.Getenv("ESMLOAD_UDP"))
	if err != nil {
		panic(err)
	}
	conn = c
	lambda.Start(handle)
}

func handle(_ context.Context, ev events.KinesisEvent) error {
	start := time.Now().UnixNano()
	buf := make([]byte, 0, 16*min(len(ev.Records), maxPairs))
	for _, r := range ev.Records {
		if len(r.Kinesis.Data) < 8 {
			continue
		}
		buf = binary.BigEndian.AppendUint64(buf, binary.BigEndian.Uint64(r.Kinesis.Data))
		buf = binary.BigEndian.AppendUint64(buf, uint64(start))
		if len(buf) == 16*maxPairs {
			_, _ = conn.Write(buf)
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		_, _ = conn.Write(buf)
	}
	return nil
}
