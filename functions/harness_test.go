package functions_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router"
	lambdaengine "github.com/kinesin/kinesin/runtime/lambda"
	"github.com/kinesin/kinesin/runtime/wasm"
)

const account = "123456789012"

// echoZip is testdata/echo built as bootstrap, zipped as a provided.al2023
// package.
var echoZip []byte

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "functions-echo")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build testdata/echo:", err)
		os.Exit(1)
	}
	b, err := os.ReadFile(bin)
	if err == nil {
		echoZip, err = zipFiles(map[string]zipEntry{"bootstrap": {b, 0o755}})
	}
	os.RemoveAll(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

type zipEntry struct {
	data []byte
	mode os.FileMode
}

func zipFiles(files map[string]zipEntry) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type stack struct {
	svc    *functions.Service
	client *lambda.Client
	url    string
	js     jetstream.JetStream
}

func startStack(t *testing.T, opts ...func(*functions.Config)) *stack {
	t.Helper()
	return startStackWith(t, lambdaengine.Config{}, opts...)
}

// startStackWith is startStack with a lambda engine configured by lcfg.
func startStackWith(t *testing.T, lcfg lambdaengine.Config, opts ...func(*functions.Config)) *stack {
	t.Helper()
	js, err := jetstream.New(natstest.Conn(t))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("KINESIN_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	lcfg.Logger = log
	le, err := lambdaengine.New(lcfg)
	if err != nil {
		t.Fatal(err)
	}
	we, err := wasm.New(wasm.Config{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	cfg := functions.Config{AccountID: account, CodeDir: t.TempDir(), Logger: log}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := functions.New(js, functions.Engines{functions.EngineLambda: le, functions.EngineWasm: we}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0", Logger: log})
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		svc.Close()
		le.Close(ctx)
		we.Close(ctx)
	})
	url := "http://" + srv.Addr()
	client := lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
	return &stack{svc: svc, client: client, url: url, js: js}
}

var ctx = context.Background()

// createEcho creates a provided.al2023 function from echoZip and waits
// until it is Active.
func (s *stack) createEcho(t *testing.T, name string, mod func(in *lambda.CreateFunctionInput)) *lambda.CreateFunctionOutput {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.Runtime("provided.al2023"), Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &types.FunctionCode{ZipFile: echoZip},
	}
	if mod != nil {
		mod(in)
	}
	out, err := s.client.CreateFunction(ctx, in)
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	s.waitActive(t, name)
	return out
}

func (s *stack) waitActive(t *testing.T, name string) {
	t.Helper()
	w := lambda.NewFunctionActiveV2Waiter(s.client, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("wait active %s: %v", name, err)
	}
}

func (s *stack) waitUpdated(t *testing.T, name string) {
	t.Helper()
	w := lambda.NewFunctionUpdatedV2Waiter(s.client, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("wait updated %s: %v", name, err)
	}
}

// apiError asserts that err is an API error with code and returns it.
func apiError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	return ae
}

// checkFor polls cond until it returns nil or d passes.
func checkFor(t *testing.T, d time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	wait := time.Millisecond
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", d, err)
		}
		time.Sleep(wait)
		wait = min(wait*2, 50*time.Millisecond)
	}
}
