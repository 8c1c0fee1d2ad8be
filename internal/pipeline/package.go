package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package returns the code of a function for the Lambda API's
// Code.ZipFile, built or read from path the way `kinesin functions deploy`
// does:
//
//   - a directory holding a Go main package is built for the runtime: to a
//     WebAssembly module (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared) for
//     runtime wasm, else to a Linux executable (GOOS=linux CGO_ENABLED=0
//     -tags lambda.norpc) zipped as bootstrap;
//   - a .zip file is a deployment package and is sent as it is;
//   - any other file is sent as it is for runtime wasm (a .wasm module) and
//     zipped as bootstrap for the other runtimes (an executable).
//
// Builds run `go` with -trimpath and -buildvcs=false, and the ZIP carries no
// timestamps, so the same sources give the same bytes and the same
// CodeSha256: that is what lets apply skip unchanged code. Progress and the
// compiler's output go to log.
func Package(ctx context.Context, path, runtime string, log io.Writer) ([]byte, error) {
	if log == nil {
		log = io.Discard
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if info.IsDir() {
		return buildGo(ctx, path, runtime, log)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if runtime == RuntimeWasm || strings.HasSuffix(path, ".zip") {
		return b, nil
	}
	return zipBootstrap(b)
}

// buildGo compiles the Go main package in dir for the runtime and returns
// the package bytes.
func buildGo(ctx context.Context, dir, runtime string, log io.Writer) ([]byte, error) {
	out, err := os.MkdirTemp("", "kinesin-build-")
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	defer os.RemoveAll(out)
	var cmd *exec.Cmd
	var target string
	if runtime == RuntimeWasm {
		target = filepath.Join(out, "function.wasm")
		cmd = exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-buildmode=c-shared", "-o", target, ".")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	} else {
		target = filepath.Join(out, "bootstrap")
		cmd = exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-o", target, ".")
		cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	}
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	fmt.Fprintf(log, "building %s for %s\n", dir, runtime)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pipeline: build %s: %w", dir, err)
	}
	b, err := os.ReadFile(target)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if runtime == RuntimeWasm {
		return b, nil
	}
	return zipBootstrap(b)
}

// zipBootstrap wraps an executable as a Lambda package's bootstrap. The
// entry has no modification time so that equal executables give equal
// packages.
func zipBootstrap(exe []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if _, err := w.Write(exe); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return buf.Bytes(), nil
}
