package functions_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/functions"
	lambdaengine "github.com/kinesin/kinesin/runtime/lambda"
)

type orderedEntry struct {
	name, data string
	mode       os.FileMode
}

func zipOrdered(t *testing.T, entries []orderedEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExtractChainedSymlinks: a link written through an earlier link must
// not let a later file escape the extraction directory.
func TestExtractChainedSymlinks(t *testing.T) {
	link := fs.ModeSymlink | 0o777
	for i, prefix := range [][]orderedEntry{nil, {{"z/", "", fs.ModeDir | 0o755}}} {
		entries := append(prefix,
			orderedEntry{"p/q/r/s/a", "../../../../z", link},
			orderedEntry{"p/q/r/s/a/l", "../../../..", link},
			orderedEntry{"z/l/PWNED", "pwned", 0o644},
		)
		base := t.TempDir()
		dir := filepath.Join(base, "x", "y", "code")
		err := functions.ExtractZip(zipOrdered(t, entries), dir)
		var found []string
		filepath.WalkDir(base, func(p string, d fs.DirEntry, _ error) error {
			if d != nil && d.Name() == "PWNED" {
				found = append(found, p)
			}
			return nil
		})
		for _, p := range found {
			if rel, _ := filepath.Rel(dir, p); !filepath.IsLocal(rel) {
				t.Fatalf("case %d: wrote %s outside %s (extract err %v)", i, p, dir, err)
			}
		}
		if err == nil {
			t.Errorf("case %d: extraction of a package writing through its links succeeded", i)
		}
	}
	// Ordinary links inside the package still work.
	dir := filepath.Join(t.TempDir(), "code")
	pkg := zipOrdered(t, []orderedEntry{
		{"lib/real.txt", "x", 0o644}, {"lib/alias.txt", "real.txt", link}, {"top", "lib/real.txt", link},
		{"lib/out", "../../etc/passwd", link}, {"lib/hop", "alias.txt/../../..", link},
	})
	if err := functions.ExtractZip(pkg, dir); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"lib/alias.txt", "top"} {
		if b, err := os.ReadFile(filepath.Join(dir, n)); err != nil || string(b) != "x" {
			t.Errorf("%s: %q %v", n, b, err)
		}
	}
	for _, n := range []string{"lib/out", "lib/hop"} {
		if _, err := os.Lstat(filepath.Join(dir, n)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: unsafe link kept (%v)", n, err)
		}
	}
}

// TestEventsQueueForEngineSlots: Event invocations waiting for one of the
// engine's processes must not expire before they run.
func TestEventsQueueForEngineSlots(t *testing.T) {
	s := startStackWith(t, lambdaengine.Config{Concurrency: 1})
	s.createEcho(t, "queued", func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(2) })
	dir := t.TempDir()
	const n = 4
	for i := range n {
		payload := fmt.Sprintf(`{"sleepMs":1500,"touch":%q}`, filepath.Join(dir, fmt.Sprint(i)))
		if _, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("queued"),
			InvocationType: types.InvocationTypeEvent, Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
	}
	checkFor(t, 60*time.Second, func() error {
		for i := range n {
			if _, err := os.Stat(filepath.Join(dir, fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestEventQueueBounded: beyond maxQueuedEvents, Event invocations are
// throttled.
func TestEventQueueBounded(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "held", nil)
	if _, err := s.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{
		FunctionName: aws.String("held"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if _, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("held"),
			InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)}); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	_, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("held"),
		InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	apiError(t, err, "TooManyRequestsException")
}

// TestDollarQualifier: a qualifier with '$' other than $LATEST is not found.
func TestDollarQualifier(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "dollar", nil)
	for _, q := range []string{"$LATEST1", "$foo", "a$b"} {
		_, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dollar"), Qualifier: aws.String(q)})
		apiError(t, err, "ResourceNotFoundException")
		_, err = s.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{
			FunctionName: aws.String("dollar"), Qualifier: aws.String(q)})
		apiError(t, err, "ResourceNotFoundException")
	}
}

// TestMalformedVersionKey: a "v." key without a version must not crash the
// watcher.
func TestMalformedVersionKey(t *testing.T) {
	s := startStack(t)
	s.createEcho(t, "watched", nil)
	kv, err := s.js.KeyValue(ctx, "kinesin-functions")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "v.x", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, "v.x"); err != nil {
		t.Fatal(err)
	}
	// The watcher still runs: an update evicts and invocations work.
	if _, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("watched")}); err != nil {
		t.Fatal(err)
	}
}

// TestGCCodeGrace: a package just put is spared; once older than the
// grace period it is deleted with its extracted directory.
func TestGCCodeGrace(t *testing.T) {
	t.Cleanup(functions.SetCodeGCGrace(0)) // after the service closes
	codeDir := t.TempDir()
	s := startStack(t, func(c *functions.Config) { c.CodeDir = codeDir })
	s.createEcho(t, "gc", nil)
	if _, err := s.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("gc")}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(echoZip)
	hexSum := hex.EncodeToString(sum[:])
	if _, err := os.Stat(filepath.Join(codeDir, hexSum)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("gc")}); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 30*time.Second, func() error {
		if _, err := os.Stat(filepath.Join(codeDir, hexSum)); err == nil {
			return errors.New("code dir still there")
		}
		return nil
	})
}
