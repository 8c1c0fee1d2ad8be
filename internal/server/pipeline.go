package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/kinesin/kinesin/internal/pipeline"
)

// applyPipeline applies the pipeline file through the server's own API, so
// the file and the API share one validation.
func applyPipeline(ctx context.Context, path, url, region string, log *slog.Logger) error {
	f, err := pipeline.Load(path)
	if err != nil {
		return err
	}
	creds := credentials.NewStaticCredentialsProvider("kinesin", "kinesin", "")
	clients := pipeline.Clients{
		Kinesis:  kinesis.New(kinesis.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds}),
		Lambda:   lambda.New(lambda.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds}),
		Firehose: firehose.New(firehose.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds}),
	}
	if err := f.Apply(ctx, clients, func(msg string) { log.Info("pipeline: " + msg) }); err != nil {
		return fmt.Errorf("server: apply %s: %w", path, err)
	}
	return nil
}
