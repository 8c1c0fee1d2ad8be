// Command kinesin is the one binary of kinesin: `kinesin serve` runs the
// server, and the other commands (streams, put, tail, apply) are its
// client. The client commands are deliberately ordinary users of the
// Kinesis API through aws-sdk-go-v2, so they exercise the server the way
// any AWS SDK does and never reach into its internals.
//
// Usage is documented in docs/cli.md and by `kinesin help COMMAND`.
package main

//go:generate go test -run ^TestCLIDoc$ -update
