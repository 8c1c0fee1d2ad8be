package testutil

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"

	"github.com/kinesin/kinesin/internal/server"
)

// Start runs an in-process kinesin on a free port with a fresh data dir
// (unless cfg names one) and stops it when the test ends.
func Start(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Logger == nil {
		level := slog.LevelWarn
		if os.Getenv("KINESIN_TEST_LOG") != "" {
			level = slog.LevelDebug
		}
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start kinesin: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Logf("close kinesin: %v", err)
		}
	})
	return s
}

// Kinesis is an aws-sdk-go-v2 Kinesis client for url that retries only
// broken connections, so tests see every error the server answers.
func Kinesis(url string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      ConnRetryer(),
	})
}

// KinesisVideo is a Kinesis Video Streams control-plane client of the
// server at url, with ConnRetryer.
func KinesisVideo(url string) *kinesisvideo.Client {
	return kinesisvideo.New(kinesisvideo.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      ConnRetryer(),
	})
}

// NeedTool returns the path of an executable the test needs (ffmpeg,
// ffprobe, curl): under CI (CI set) a missing one fails the test, since CI
// installs them; elsewhere it skips.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not on PATH; CI must install it (.ci/run)", name)
		}
		t.Skipf("%s is not on PATH", name)
	}
	return p
}

// ConnRetryer retries a request up to three times when the connection
// broke (reset, or closed under a response being read, as the SDK's
// default retryer does) and never for an error the server answered.
// Under CI load a loopback connection has been seen to break once in
// thousands of runs; real SDK users retry it by default.
func ConnRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.RateLimiter = ratelimit.None
	})
}

// Eventually polls cond every few milliseconds until it holds or timeout
// passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(wait)
		if wait < 50*time.Millisecond {
			wait *= 2
		}
	}
}

// CreateStream creates a stream and waits until it is ACTIVE.
func CreateStream(t testing.TB, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("create stream %s: %v", name, err)
	}
	WaitActive(t, c, name)
}

// WaitActive waits for a stream to be ACTIVE.
func WaitActive(t testing.TB, c *kinesis.Client, name string) {
	t.Helper()
	Eventually(t, 30*time.Second, name+" ACTIVE", func() bool {
		out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == "ACTIVE"
	})
}
