// Command fn-wasm-noop is esmload's throughput function: a WebAssembly
// batch handler that does nothing, so that a run measures kinesin's event
// source mapping path (read, batch, call, checkpoint), not the function.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o noop.wasm .
package main

import (
	"context"

	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(noop) }

func main() {}

func noop(context.Context, *sdk.Batch) error { return nil }
