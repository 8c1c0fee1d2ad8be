// Command lambda-noop is an aws-lambda-go function for kinesin's Lambda
// runtime tests and benchmarks. Build it as a provided.al2023 package:
//
//	GOOS=linux go build -tags lambda.norpc -o bootstrap .
//
// It echoes its event unless the event asks otherwise:
//
//	{"error":"msg"}          returns an error
//	{"panic":"msg"}          panics
//	{"sleepMs":N}            sleeps N ms, then echoes
//	{"exit":N}               exits with status N
//	{"log":"text"}           prints text to stdout and "err: text" to stderr
//	{"env":["NAME",...]}     answers {"NAME":"value",...}
//	{"who":true}             answers {"pid":N,"startNs":T0,"endNs":T1}
//	a KinesisEvent           answers batchItemFailures for records whose
//	                         data is "fail" (and counts in window state)
//	a KinesisFirehoseEvent   upper-cases data; "drop" is Dropped, "fail"
//	                         ProcessingFailed; partitionKeys {"pk": key}
//
// At start, NOOP_INIT_ERROR=msg posts an init error and exits, and
// NOOP_INIT_EXIT=N exits with status N.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type command struct {
	Error   *string  `json:"error"`
	Panic   *string  `json:"panic"`
	SleepMs int      `json:"sleepMs"`
	Exit    *int     `json:"exit"`
	Log     *string  `json:"log"`
	Env     []string `json:"env"`
	Who     bool     `json:"who"`
	// Batch shapes.
	Records  json.RawMessage `json:"Records"`
	FRecords json.RawMessage `json:"records"`
	Window   json.RawMessage `json:"window"`
}

func main() {
	initChecks()
	lambda.Start(handle)
}

func handle(ctx context.Context, e json.RawMessage) (json.RawMessage, error) {
	var c command
	if len(e) == 0 || e[0] != '{' || json.Unmarshal(e, &c) != nil {
		return e, nil
	}
	if c.Log != nil {
		fmt.Println(*c.Log)
		fmt.Fprintln(os.Stderr, "err: "+*c.Log)
	}
	start := time.Now()
	if c.SleepMs > 0 {
		select {
		case <-time.After(time.Duration(c.SleepMs) * time.Millisecond):
		case <-ctx.Done():
			// Lambda kills the process at the deadline; keep sleeping like
			// a function that ignores its context would.
			time.Sleep(time.Duration(c.SleepMs) * time.Millisecond)
		}
	}
	switch {
	case c.Exit != nil:
		os.Exit(*c.Exit)
	case c.Panic != nil:
		panic(*c.Panic)
	case c.Error != nil:
		return nil, errors.New(*c.Error)
	case c.Who:
		return json.Marshal(map[string]int64{"pid": int64(os.Getpid()),
			"startNs": start.UnixNano(), "endNs": time.Now().UnixNano()})
	case c.Env != nil:
		out := map[string]string{}
		for _, k := range c.Env {
			out[k] = os.Getenv(k)
		}
		return json.Marshal(out)
	case c.Records != nil:
		return kinesis(e, c.Window != nil)
	case c.FRecords != nil:
		return firehose(e)
	}
	return e, nil
}

func kinesis(e json.RawMessage, windowed bool) (json.RawMessage, error) {
	var ev events.KinesisTimeWindowEvent
	if err := json.Unmarshal(e, &ev); err != nil {
		return nil, err
	}
	resp := events.KinesisTimeWindowEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}
	for _, r := range ev.Records {
		if string(r.Kinesis.Data) == "fail" {
			resp.BatchItemFailures = append(resp.BatchItemFailures,
				events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
		}
	}
	if windowed {
		n, _ := strconv.Atoi(ev.State["count"])
		resp.State = map[string]string{"count": strconv.Itoa(n + len(ev.Records))}
	}
	return json.Marshal(resp)
}

func firehose(e json.RawMessage) (json.RawMessage, error) {
	var ev events.KinesisFirehoseEvent
	if err := json.Unmarshal(e, &ev); err != nil {
		return nil, err
	}
	var resp events.KinesisFirehoseResponse
	for _, r := range ev.Records {
		out := events.KinesisFirehoseResponseRecord{RecordID: r.RecordID, Result: events.KinesisFirehoseTransformedStateOk,
			Data: bytes.ToUpper(r.Data)}
		out.Metadata.PartitionKeys = map[string]string{"pk": r.KinesisFirehoseRecordMetadata.PartitionKey}
		switch string(r.Data) {
		case "drop":
			out.Result = events.KinesisFirehoseTransformedStateDropped
		case "fail":
			out.Result = events.KinesisFirehoseTransformedStateProcessingFailed
		}
		resp.Records = append(resp.Records, out)
	}
	return json.Marshal(resp)
}

// initChecks fails the init phase when the environment asks, the way a
// runtime reports it: POST /runtime/init/error, then exit.
func initChecks() {
	if msg := os.Getenv("NOOP_INIT_ERROR"); msg != "" {
		fmt.Fprintln(os.Stderr, "init failing: "+msg)
		body, _ := json.Marshal(map[string]any{"errorMessage": msg, "errorType": "Runtime.NoopInitError", "stackTrace": []string{}})
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.NoopInitError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	}
	if s := os.Getenv("NOOP_INIT_EXIT"); s != "" {
		code, _ := strconv.Atoi(strings.TrimSpace(s))
		os.Exit(code)
	}
}
