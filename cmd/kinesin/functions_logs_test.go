package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFunctionsLogs deploys a Lambda-runtime function, invokes it and reads
// what it printed with `functions logs`, once and with --follow.
func TestFunctionsLogs(t *testing.T) {
	e := newEnv(t)
	e.must("", "functions", "deploy", "noisy", "../../examples/functions/lambda-noop", "--runtime", "provided.al2023")
	e.must("", "functions", "invoke", "noisy", "--payload", `{"log":"hello"}`)

	line := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} hello$`)
	checkFor(t, 30*time.Second, func() (bool, string) {
		out := e.must("", "functions", "logs", "noisy")
		return line.MatchString(out), fmt.Sprintf("no hello line in %q", out)
	})
	if out := e.must("", "functions", "logs", "noisy", "--since", "1ms"); strings.Contains(out, "hello") {
		t.Errorf("--since 1ms still shows the earlier invocation: %q", out)
	}
	if _, _, err := e.run("", "functions", "logs", "missing"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("logs of a missing function: %v", err)
	}

	stdout, _, stop := e.background("functions", "logs", "noisy", "--follow", "--since", "1ms")
	e.must("", "functions", "invoke", "noisy", "--payload", `{"log":"again"}`)
	checkFor(t, 30*time.Second, func() (bool, string) {
		out := stdout.String()
		return strings.Contains(out, " again\n"), fmt.Sprintf("--follow printed %q", out)
	})
	if err := stop(); err != nil {
		t.Errorf("--follow ended with %v", err)
	}
}
