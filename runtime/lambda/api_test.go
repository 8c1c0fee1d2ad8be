package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/runtime/engine"
)

// rawRuntime is a bootstrap that speaks the Runtime API by hand (the test
// binary run with LAMBDA_TEST_RAW_RUNTIME=1), to probe the API's answers
// to wrong ids, repeated answers and oversized bodies. It answers each
// invocation with the status codes it saw so far.
func rawRuntime() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	seen := map[string]int{}
	post := func(url string, body []byte) int {
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return -1
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for {
		resp, err := http.Get(base + "next")
		if err != nil {
			os.Exit(2)
		}
		payload, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		switch string(payload) {
		case `"big"`:
			seen["big"] = post(base+id+"/response", bytes.Repeat([]byte("x"), 7<<20))
			continue
		case `"probe"`:
			seen["unknownId"] = post(base+"not-an-id/response", []byte(`{}`))
		}
		report, _ := json.Marshal(seen)
		seen["answer"] = post(base+id+"/response", report)
		seen["again"] = post(base+id+"/response", report)
	}
}

func TestRuntimeAPIStatuses(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nLAMBDA_TEST_RAW_RUNTIME=1 exec %q\n", exe)
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t)
	fn := function("raw")
	fn.CodeDir = dir
	call := func(p string) engine.Result {
		res, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(p)})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	call(`"probe"`)
	if got := string(call(`"report"`).Payload); got != `{"again":403,"answer":202,"unknownId":400}` {
		t.Errorf("statuses = %s, want unknown id 400, answer 202, second answer 403", got)
	}
	res := call(`"big"`)
	if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "Function.ResponseSizeTooLarge") {
		t.Errorf("oversized response: %s %s", res.FunctionError, res.Payload)
	}
	if got := string(call(`"report"`).Payload); !strings.Contains(got, `"big":413`) {
		t.Errorf("statuses = %s, want big 413", got)
	}
}
