package runner_test

import (
	"strings"
	"testing"
	"time"
)

// TestMappingLogs: what a function prints while an event source mapping
// invokes it is in its logs (kinesin's CloudWatch Logs, GET
// /kinesin/v1/functions/{name}/logs), as for any other invocation: Lambda
// sends every invocation's output to the function's log group
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
func TestMappingLogs(t *testing.T) {
	forKinds(t, func(t *testing.T, e *env, kind string) {
		stream := e.stream(t, "logs", 1)
		f := e.deploy(t, kind, nil)
		e.mapping(t, kinesisMapping(f, stream, 10))
		e.putOne(t, stream, "k", msg{"id": "logged"})
		f.awaitIDs(t, "logged")
		deadline := time.Now().Add(5 * time.Second)
		for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
			logs := string(f.logs(t))
			if strings.Contains(logs, marker) && strings.Contains(logs, `logged`) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the probe's output for a mapping's invocation is not in the function's logs after 5s; logs:\n%s", logs)
			}
			time.Sleep(pause)
		}
	})
}
