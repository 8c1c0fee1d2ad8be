package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/clock"
)

// The clients and stream helpers are bench/kinesisload's (copied, not
// shared: that command keeps its own).

const (
	region  = "us-east-1"
	account = "000000000000"
)

// newKinesis returns a Kinesis client for endpoint with connections for
// conns concurrent callers and no retries, so that every failure is counted.
func newKinesis(endpoint string, conns int) *kinesis.Client {
	hc := awshttp.NewBuildableClient().
		WithTimeout(time.Minute).
		WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = 4 * conns
			t.MaxIdleConnsPerHost = 4 * conns
		})
	return kinesis.New(kinesis.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("esmload", "esmload", ""),
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{},
	})
}

func newLambda(endpoint string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("esmload", "esmload", ""),
		Retryer:      aws.NopRetryer{},
	})
}

func streamARN(name string) string {
	return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name
}

// createFunction creates (or replaces) function name with code.
func createFunction(ctx context.Context, lc *lambda.Client, name, runtime string, code []byte, env map[string]string) error {
	_, _ = lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: &name})
	in := &lambda.CreateFunctionInput{
		FunctionName: &name, Runtime: ltypes.Runtime(runtime),
		Role: aws.String("arn:aws:iam::" + account + ":role/esmload"), Handler: aws.String("bootstrap"),
		Code: &ltypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(60), MemorySize: aws.Int32(512),
	}
	if env != nil {
		in.Environment = &ltypes.Environment{Variables: env}
	}
	if _, err := lc.CreateFunction(ctx, in); err != nil {
		return fmt.Errorf("CreateFunction %s: %w", name, err)
	}
	w := lambda.NewFunctionActiveV2Waiter(lc, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 500*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: &name}, 2*time.Minute); err != nil {
		return fmt.Errorf("waiting for %s to be Active: %w", name, err)
	}
	return nil
}

// mappingConfig is what a run varies of a mapping.
type mappingConfig struct {
	Function string
	Stream   string
	Batch    int
}

// createMapping creates an event source mapping from TRIM_HORIZON with no
// batching window and ParallelizationFactor 1, and waits until it is
// Enabled. It returns the mapping's UUID.
//
// esmload never deletes a mapping or its stream while the server runs. A
// worker of triggers/runner that stops on its own
// (mapping deleted, disabled or updated, stream deleted) waits in a
// deferred call for its lease renewer, which only ends with the worker's
// run context, cancelled by an earlier-registered defer that has not run
// yet: the worker never ends, and deleting a mapping blocks the runner's
// loop (settle → stopMapping waits for it), so mappings created after it
// stay Creating. Leaving them, idle once caught up, costs nothing; each
// server's data directory is removed when it closes.
func createMapping(ctx context.Context, lc *lambda.Client, m mappingConfig) (string, error) {
	out, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: &m.Function, EventSourceArn: aws.String(streamARN(m.Stream)),
		StartingPosition: ltypes.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(int32(m.Batch)),
		MaximumBatchingWindowInSeconds: aws.Int32(0), ParallelizationFactor: aws.Int32(1),
	})
	if err != nil {
		return "", fmt.Errorf("CreateEventSourceMapping: %w", err)
	}
	uuid := aws.ToString(out.UUID)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: &uuid})
		if err != nil {
			return uuid, fmt.Errorf("GetEventSourceMapping: %w", err)
		}
		if aws.ToString(got.State) == "Enabled" {
			return uuid, nil
		}
		if time.Now().After(deadline) {
			return uuid, fmt.Errorf("mapping %s still %s after 30s", uuid, aws.ToString(got.State))
		}
		if !clock.Sleep(ctx, 5*time.Millisecond) {
			return uuid, ctx.Err()
		}
	}
}

// shardStatus is the part of kinesin's /kinesin/v1/event-source-mappings/
// {UUID}/shards answer esmload reads.
type shardStatus struct {
	ShardID string `json:"ShardId"`
	Stats   struct {
		Records     int64 `json:"Records"`
		Invocations int64 `json:"Invocations"`
		Errors      int64 `json:"Errors"`
		Throttles   int64 `json:"Throttles"`
		Dropped     int64 `json:"Dropped"`
	} `json:"Stats"`
}

// progress sums the mapping's checkpointed counters over its shards.
type progress struct {
	Records, Invocations, Errors, Throttles, Dropped int64
}

// processed reads the mapping's lambda_esm_ProcessedEventCount and
// lambda_esm_Invocations from /metrics: in-memory counters, raised as
// soon as a call succeeded (before its checkpoint is written), and cheap
// to read. (The shards endpoint reads checkpoints and leases from
// JetStream KV, listing their keys, and took up to a second and a half
// per call under load, too coarse and too heavy to poll.)
func processed(ctx context.Context, hc *http.Client, endpoint, uuid string) (progress, error) {
	var p progress
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/metrics", nil)
	if err != nil {
		return p, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return p, fmt.Errorf("/metrics: %s", resp.Status)
	}
	label := `{uuid="` + uuid + `"}`
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, label)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil {
			continue
		}
		switch name {
		case "lambda_esm_ProcessedEventCount":
			p.Records = int64(v)
		case "lambda_esm_Invocations":
			p.Invocations = int64(v)
		case "lambda_esm_Errors":
			p.Errors = int64(v)
		case "lambda_esm_Throttles":
			p.Throttles = int64(v)
		case "lambda_esm_DroppedEventCount":
			p.Dropped = int64(v)
		}
	}
	return p, sc.Err()
}

// mappingProgress sums the checkpointed counters of the shards endpoint.
func mappingProgress(ctx context.Context, hc *http.Client, endpoint, uuid string) (progress, error) {
	var p progress
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/kinesin/v1/event-source-mappings/"+uuid+"/shards", nil)
	if err != nil {
		return p, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return p, err
	}
	if resp.StatusCode != http.StatusOK {
		return p, fmt.Errorf("shards of %s: %s: %s", uuid, resp.Status, b)
	}
	var out struct {
		Shards []shardStatus `json:"Shards"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return p, fmt.Errorf("shards of %s: %w", uuid, err)
	}
	for _, s := range out.Shards {
		p.Records += s.Stats.Records
		p.Invocations += s.Stats.Invocations
		p.Errors += s.Stats.Errors
		p.Throttles += s.Stats.Throttles
		p.Dropped += s.Stats.Dropped
	}
	return p, nil
}
