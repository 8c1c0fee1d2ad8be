//go:build wasip1

package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/kinesin/kinesin/sdk"
)

func init() {
	emit = func(b []byte) { os.Stdout.Write(append(b, '\n')) }
	sdk.Start(func(ctx context.Context, ev events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error) {
		out, _, err := handle(ctx, ev)
		return out, err
	})
}

// main never runs: a WebAssembly reactor runs only package initialisation.
func main() {}
