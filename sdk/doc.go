// Package sdk is what you import to write a kinesin function in Go. Write
// the handler once and build it two ways:
//
//   - WebAssembly (GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared):
//     the package exports kinesin WebAssembly ABI v1 (docs/wasm-abi.md) and
//     runs the handler inside kinesin's wasm runtime;
//   - a Lambda bootstrap (any other GOOS): Start calls aws-lambda-go's
//     lambda.Start with the same handler.
//
// Handlers take the forms aws-lambda-go knows — a KinesisEvent, a
// KinesisFirehoseEvent or a KinesisTimeWindowEvent handler, or any JSON
// func(context.Context, In) (Out, error) — plus a fast batch form,
// func(context.Context, *Batch) error, that sets a result per record with no
// JSON at all.
//
// Call Start from an init function: a WebAssembly reactor runs package
// initialisation but never main, and on other systems Start never returns.
//
//	func init() { sdk.Start(handle) }
//	func main() {}
package sdk
