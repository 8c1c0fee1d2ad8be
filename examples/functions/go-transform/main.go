// Command go-transform is a kinesin WebAssembly transform: it upper-cases
// each record's data and drops empty records, using the sdk's batch form
// (no JSON on the record path).
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o transform.wasm .
package main

import (
	"context"

	"github.com/kinesin/kinesin/sdk"
)

func init() { sdk.Start(transform) }

func main() {}

func transform(_ context.Context, b *sdk.Batch) error {
	for i, r := range b.Records {
		if len(r.Data) == 0 {
			b.Drop(i)
			continue
		}
		// Data is ours until we return: upper-case it in place.
		for j, c := range r.Data {
			if 'a' <= c && c <= 'z' {
				r.Data[j] = c - ('a' - 'A')
			}
		}
		b.Set(i, r.Data)
	}
	return nil
}
