// Package s3test runs a real S3-compatible server, versitygw with its posix
// backend, for the tests of packages that write to S3.
//
// The versitygw binary is looked up in PATH, then in the bin directories
// of GOPATH. Install it with
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// Without it, Start skips the test, or fails it when the environment says
// CI=true, so that CI cannot pass without the server.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kinesin/kinesin/sinks/objstore"
)

// Binary is the name of the server's executable.
const Binary = "versitygw"

// InstallHint is the command that installs the server.
const InstallHint = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Region is the region the server is started with.
const Region = "us-east-1"

// startTimeout bounds how long Start waits for the server to answer.
const startTimeout = 30 * time.Second

// Find answers the path of the versitygw binary, or "" when there is none:
// PATH first, then GOBIN and the bin directories of GOPATH (as the
// environment sets it, else as `go env GOPATH` answers).
func Find() string {
	if p, err := exec.LookPath(Binary); err == nil {
		return p
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, d := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(d, "bin"))
	}
	for _, d := range dirs {
		if p := executable(filepath.Join(d, Binary)); p != "" {
			return p
		}
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			if p := executable(filepath.Join(d, "bin", Binary)); p != "" {
				return p
			}
		}
	}
	return ""
}

// executable answers p when it is an executable file, else "".
func executable(p string) string {
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return p
	}
	return ""
}

// Start runs versitygw on a free local port with root credentials of its
// own and a fresh posix directory (dataDir: its top-level directories are
// the buckets, so CreateBucket makes one). It creates no bucket. The
// server stops when the test ends.
func Start(tb testing.TB) (endpoint string, opts objstore.S3Options, dataDir string) {
	tb.Helper()
	bin := Find()
	if bin == "" {
		msg := fmt.Sprintf("s3test: %s not found in PATH or GOPATH/bin; install it with: %s", Binary, InstallHint)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	dataDir = tb.TempDir()
	opts = objstore.S3Options{
		Region:          Region,
		AccessKeyID:     "root" + randomHex(4),
		SecretAccessKey: randomHex(16),
		PathStyle:       true,
	}
	// The free port may be taken between closing the probe listener and
	// the server's listen; try again then.
	var lastErr error
	for range 5 {
		addr, err := freeAddr()
		if err != nil {
			tb.Fatalf("s3test: %v", err)
		}
		endpoint = "http://" + addr
		if lastErr = start(tb, bin, addr, endpoint, opts, dataDir); lastErr == nil {
			opts.Endpoint = endpoint
			return endpoint, opts, dataDir
		}
	}
	tb.Fatalf("s3test: %v", lastErr)
	return "", objstore.S3Options{}, ""
}

// start runs the server on addr and waits for it to answer; it answers an
// error when the server exited first.
func start(tb testing.TB, bin, addr, endpoint string, opts objstore.S3Options, dataDir string) error {
	tb.Helper()
	out := &lockedBuffer{}
	cmd := exec.Command(bin,
		"--access", opts.AccessKeyID,
		"--secret", opts.SecretAccessKey,
		"--region", opts.Region,
		"--port", addr,
		"--quiet",
		"posix", dataDir)
	// Only what is given here: no VGW_*/ROOT_* variables of the caller's.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		// Any answer of the server's (an unsigned request gets 403
		// AccessDenied) means it is up; another server that took the port
		// first does not name itself so.
		if resp, err := client.Get(endpoint + "/"); err == nil {
			_ = resp.Body.Close()
			if resp.Header.Get("Server") == "VERSITYGW" {
				break
			}
		}
		select {
		case err := <-exited:
			exited <- err
			stop()
			return fmt.Errorf("%s exited before answering (%v): %s", Binary, err, out.String())
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("%s did not answer at %s within %v: %s", Binary, endpoint, startTimeout, out.String())
		}
	}
	tb.Cleanup(func() {
		stop()
		if tb.Failed() {
			tb.Logf("s3test: %s output:\n%s", Binary, out.String())
		}
	})
	return nil
}

// CreateBucket creates bucket on the server opts names.
func CreateBucket(tb testing.TB, opts objstore.S3Options, bucket string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := Client(opts).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		tb.Fatalf("s3test: create bucket %s: %v", bucket, err)
	}
}

// Client is an SDK client for the server opts names, for what a test
// needs beyond objstore.Store.
func Client(opts objstore.S3Options) *s3.Client {
	region := opts.Region
	if region == "" {
		region = Region
	}
	return s3.New(s3.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(opts.Endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(opts.AccessKeyID, opts.SecretAccessKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	return addr, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lockedBuffer collects the server's output, written from the exec
// package's copying goroutines and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
