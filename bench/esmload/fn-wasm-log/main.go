// Command fn-wasm-log is esmload's latency probe for the WebAssembly
// runtime. On each batch it takes the time once, at handler start (WASI's
// wall clock), and prints, for each record, "esmload ID NANOS": the
// record's id (the first 8 bytes of its data, big-endian) and that time in
// Unix nanoseconds. esmload reads the lines back from the function's logs.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o probe.wasm .
package main

import (
	"context"
	"encoding/binary"
	"os"
	"strconv"
	"time"

	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(probe) }

func main() {}

var buf []byte

func probe(_ context.Context, b *sdk.Batch) error {
	start := time.Now().UnixNano()
	buf = buf[:0]
	for _, r := range b.Records {
		if len(r.Data) < 8 {
			continue
		}
		buf = append(buf, "esmload "...)
		buf = strconv.AppendUint(buf, binary.BigEndian.Uint64(r.Data), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, start, 10)
		buf = append(buf, '\n')
	}
	_, _ = os.Stdout.Write(buf)
	return nil
}
