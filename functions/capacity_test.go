package functions_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	lambdaengine "github.com/kinesin/kinesin/runtime/lambda"
)

// slowStartZip is echoZip behind a bootstrap that takes 200 ms to start,
// as a function with a slow cold start.
func slowStartZip(t *testing.T) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(echoZip), int64(len(echoZip)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	echo, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err := zipFiles(map[string]zipEntry{
		"bootstrap": {[]byte("#!/bin/sh\nsleep 0.2\nexec \"$LAMBDA_TASK_ROOT/echo\"\n"), 0o755},
		"echo":      {echo, 0o755},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A synchronous Invoke that gets no process before its deadline (the
// function's timeout plus a second) is throttled with Reason
// ConcurrentInvocationLimitExceeded.
//
// The waits of the registry and of the engine both start at the request,
// so a queued invocation whose function timeout has passed before it got
// a process is not left to wait: it gets a process and times out at once
// (a Sandbox.Timedout function error). Its process is killed, so the next
// one starts cold. Only the callers still queued when their deadline ends
// are throttled: with one process, 1 s timeouts and 200 ms cold starts,
// the first invocation runs (~0.7 s), the second times out on the warm
// process (1 s), the next few each burn a cold start until 2 s; the rest
// of the 12 get the 429.
func TestSyncInvokeNoCapacity(t *testing.T) {
	s := startStackWith(t, lambdaengine.Config{Concurrency: 1})
	s.createEcho(t, "capacity", func(in *lambda.CreateFunctionInput) {
		in.Timeout = aws.Int32(1)
		in.Code = &types.FunctionCode{ZipFile: slowStartZip(t)}
	})
	const callers = 12
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			_, errs[i] = s.client.Invoke(ctx, &lambda.InvokeInput{
				FunctionName: aws.String("capacity"), Payload: []byte(`{"sleepMs":500}`)})
		})
	}
	wg.Wait()
	throttled := 0
	for _, err := range errs {
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "TooManyRequestsException" {
			continue // ran, timed out, or reached the engine too late (see above)
		}
		throttled++
		var tm *types.TooManyRequestsException
		if !asType(ae, &tm) || tm.Reason != types.ThrottleReasonConcurrentInvocationLimitExceeded {
			t.Errorf("throttle reason: %+v", ae)
		}
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusTooManyRequests {
			t.Errorf("throttle status: %v", err)
		}
	}
	t.Logf("%d of %d callers throttled", throttled, callers)
	if throttled == 0 {
		t.Fatalf("no caller of %d was throttled: %v", callers, errs)
	}
}
