//go:build !wasip1

package sdk

import (
	"context"
	"encoding/json"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
)

// Start runs handler as a Lambda function (aws-lambda-go's lambda.Start):
// the binary is a bootstrap for provided.al2023 or go1.x. It does not
// return. A batch handler answers KinesisEvent and KinesisFirehoseEvent.
func Start(handler any) {
	h, err := newHandler(handler)
	if err != nil {
		log.Fatal(err)
	}
	if h.batch == nil {
		lambda.Start(handler)
		return
	}
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (json.RawMessage, error) {
		return h.batchJSON(ctx, ev)
	})
}
