package pipeline_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
)

// startServer runs an in-process kinesin and returns clients for it.
func startServer(t *testing.T) pipeline.Clients {
	t.Helper()
	srv, err := server.Start(context.Background(), server.Config{
		Listen:  "127.0.0.1:0",
		DataDir: t.TempDir(),
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("server close: %v", err)
		}
	})
	creds := credentials.NewStaticCredentialsProvider("kinesin", "kinesin", "")
	return pipeline.Clients{
		Kinesis: kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
		Lambda:  lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
	}
}

// apply applies src (written to dir/pipeline.yaml) and returns the lines
// Apply logged.
func apply(t *testing.T, c pipeline.Clients, dir, src string) []string {
	t.Helper()
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := pipeline.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var lines []string
	if err := f.Apply(ctx, c, func(l string) { lines = append(lines, l) }); err != nil {
		t.Fatalf("apply: %v\nlogged:\n%s", err, strings.Join(lines, "\n"))
	}
	return lines
}

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("apply logged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestApplyStreams(t *testing.T) {
	c := startServer(t)
	dir := t.TempDir()
	src := "streams:\n  - name: orders\n    shards: 2\n    tags:\n      team: a\n"
	wantLines(t, apply(t, c, dir, src),
		"stream orders: created (provisioned, 2 shards)",
		"stream orders: tag team=a added",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, src), "stream orders: unchanged", "no changes")
}

// TestApplyFunctions needs the Lambda API in the server; it skips until
// the server answers it.
func TestApplyFunctions(t *testing.T) {
	c := startServer(t)
	_, err := c.Lambda.ListFunctions(context.Background(), &lambda.ListFunctionsInput{})
	var api smithy.APIError
	var resp *awshttp.ResponseError
	switch {
	case errors.As(err, &api) && strings.Contains(api.ErrorCode(), "UnknownOperation"),
		errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound:
		t.Skipf("the server does not answer the Lambda API yet: %v", err)
	case err != nil:
		t.Fatalf("ListFunctions: %v", err)
	}

	dir := t.TempDir()
	writeBootstrap := func(body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeBootstrap("echo v1")
	v1 := `functions:
  - name: echo
    runtime: provided.al2023
    path: bootstrap
    environment:
      STAGE: dev
`
	wantLines(t, apply(t, c, dir, v1),
		"function echo: created (provided.al2023, "+sizeOf(t, dir)+" bytes)",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, v1), "function echo: unchanged", "no changes")

	v2 := `functions:
  - name: echo
    runtime: provided.al2023
    path: bootstrap
    timeout: 10
    memory: 256
    environment:
      STAGE: prod
      DEBUG: "1"
    concurrency: 2
`
	wantLines(t, apply(t, c, dir, v2),
		"function echo: timeout 3 → 10",
		"function echo: memory 128 → 256",
		"function echo: environment DEBUG=1 added",
		"function echo: environment STAGE=prod (was dev)",
		"function echo: concurrency unreserved → 2",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, v2), "function echo: unchanged", "no changes")

	ctx := context.Background()
	cfg, err := c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(cfg.Timeout) != 10 || aws.ToInt32(cfg.MemorySize) != 256 || cfg.State != ltypes.StateActive ||
		cfg.Environment == nil || cfg.Environment.Variables["STAGE"] != "prod" {
		t.Errorf("configuration after apply: %+v", cfg)
	}

	// New code, and no more reservation or environment.
	writeBootstrap("echo v2")
	code, err := pipeline.Package(ctx, filepath.Join(dir, "bootstrap"), "provided.al2023", nil)
	if err != nil {
		t.Fatal(err)
	}
	v3 := "functions:\n  - name: echo\n    runtime: provided.al2023\n    path: bootstrap\n    timeout: 10\n    memory: 256\n"
	wantLines(t, apply(t, c, dir, v3),
		"function echo: code updated ("+sizeOf(t, dir)+" bytes, CodeSha256 "+pipeline.CodeSha256(code)+")",
		"function echo: environment DEBUG removed",
		"function echo: environment STAGE removed",
		"function echo: concurrency 2 → unreserved",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, v3), "function echo: unchanged", "no changes")
	cfg, err = c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.CodeSha256) != pipeline.CodeSha256(code) {
		t.Errorf("CodeSha256 = %s, want %s", aws.ToString(cfg.CodeSha256), pipeline.CodeSha256(code))
	}
}

// sizeOf is the size of the package of dir/bootstrap, as apply logs it.
func sizeOf(t *testing.T, dir string) string {
	t.Helper()
	code, err := pipeline.Package(context.Background(), filepath.Join(dir, "bootstrap"), "provided.al2023", nil)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(len(code))
}
