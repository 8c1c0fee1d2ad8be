//go:build !wasip1

package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	out := os.Getenv("OUT")
	emit = func(b []byte) {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		// One write per line: O_APPEND keeps concurrent processes' lines
		// whole.
		if _, err := f.Write(append(b, '\n')); err != nil {
			panic(err)
		}
		// And the function's log, as the WebAssembly build.
		os.Stdout.Write(append(b, '\n'))
	}
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
		if os.Getenv("RAW") == "1" {
			// The first event any process of this function sees.
			if f, err := os.OpenFile(out+".raw", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
				f.Write(raw)
				f.Close()
			}
		}
		var ev events.KinesisTimeWindowEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		resp, override, err := handle(ctx, ev)
		if err != nil {
			return nil, err
		}
		switch override {
		case "null":
			return json.RawMessage("null"), nil
		case "empty":
			return json.RawMessage("{}"), nil
		case "nullList":
			return json.RawMessage(`{"batchItemFailures":null}`), nil
		case "emptyList":
			return json.RawMessage(`{"batchItemFailures":[]}`), nil
		}
		return json.Marshal(resp)
	})
}
