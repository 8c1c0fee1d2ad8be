package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kinesin/kinesin/internal/pipeline"
)

// applyPipeline applies the pipeline file through the server's own API, so
// the file and the API share one validation.
func applyPipeline(ctx context.Context, path, url, region string, log *slog.Logger) error {
	f, err := pipeline.Load(path)
	if err != nil {
		return err
	}
	client := kinesis.New(kinesis.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("kinesin", "kinesin", ""),
	})
	if err := f.Apply(ctx, client, func(msg string) { log.Info("pipeline: " + msg) }); err != nil {
		return fmt.Errorf("server: apply %s: %w", path, err)
	}
	return nil
}
