package functions_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/functions"
)

// TestExtractModes checks that a package keeps the ZIP's executable bits
// and that bootstrap is executable even when the ZIP says otherwise.
func TestExtractModes(t *testing.T) {
	s := startStack(t)
	boot, err := zipOpen(writeTemp(t, echoZip))
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := zipFiles(map[string]zipEntry{
		"bootstrap": {boot, 0o644}, "bin/tool": {[]byte("#!/bin/sh\n"), 0o755}, "data/x.json": {[]byte("{}"), 0o644},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.createEcho(t, "modes", func(in *lambda.CreateFunctionInput) { in.Code.ZipFile = pkg })
	fn, _, err := s.svc.Resolve("modes", "")
	if err != nil {
		t.Fatal(err)
	}
	for name, exec := range map[string]bool{"bootstrap": true, "bin/tool": true, "data/x.json": false} {
		st, err := os.Stat(filepath.Join(fn.CodeDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode()&0o100 != 0; got != exec {
			t.Errorf("%s: mode %v, executable %v, want %v", name, st.Mode(), got, exec)
		}
	}
	if out, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("modes"), Payload: []byte(`1`)}); err != nil || string(out.Payload) != "1" {
		t.Fatalf("invoke: %v", err)
	}
}

func TestCodeStorageLimit(t *testing.T) {
	s := startStack(t, func(c *functions.Config) { c.CodeStorageLimit = int64(len(echoZip)) + 1000 })
	s.createEcho(t, "one", nil)
	other, err := zipFiles(map[string]zipEntry{"bootstrap": {[]byte("#!/bin/sh\n"), 0o755}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("two"), Runtime: types.Runtime("provided.al2023"), Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &types.FunctionCode{ZipFile: append(other, make([]byte, 2000)...)},
	})
	apiError(t, err, "CodeStorageExceededException")
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "p.zip")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
