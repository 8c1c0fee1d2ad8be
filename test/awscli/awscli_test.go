package awscli

import (
	"archive/zip"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func TestKinesisWithAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is not on PATH; CI must install it (.ci/run)")
		}
		t.Skip("the aws CLI is not on PATH")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 9*time.Minute)
	defer cancel()

	dataDir := t.TempDir()
	srv, err := server.Start(ctx, server.Config{
		Listen:  "127.0.0.1:0",
		DataDir: dataDir,
		Logger:  slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close server: %v", err)
		}
	})

	// The CLI sees only this server and these credentials: no profile, config
	// file or AWS_* variable of the machine.
	home := t.TempDir()
	env := []string{
		"AWS_ENDPOINT_URL=" + srv.URL(),
		"AWS_ACCESS_KEY_ID=x",
		"AWS_SECRET_ACCESS_KEY=x",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "FUNCTION_ZIP="+buildFunctionZip(t), "FUNCTION_WASM="+buildFunctionWasm(t), "DATA_DIR="+dataDir)
	// The scripts name their resources apart, so they run side by side:
	// each spends most of its time starting the CLI.
	t.Run("scripts", func(t *testing.T) {
		for _, script := range []string{"kinesis.sh", "lambda.sh", "mappings.sh", "firehose.sh", "analytics.sh", "video.sh"} {
			t.Run(script, func(t *testing.T) {
				t.Parallel()
				cmd := exec.CommandContext(ctx, "bash", script)
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s: %v\n%s", script, err, out)
				}
				t.Logf("%s:\n%s", script, out)
			})
		}
		// docs/video.md's examples run as its readers would run them: its
		// sh blocks in order in one shell, with kinesin on PATH.
		t.Run("docs/video.md", func(t *testing.T) {
			t.Parallel()
			bin := testutil.BuildKinesin(t)
			script := "set -euo pipefail\n" + strings.Join(shellBlocks(t, "../../docs/video.md"), "\n")
			cmd := exec.CommandContext(ctx, "bash", "-c", script)
			cmd.Dir = t.TempDir()
			cmd.Env = append(slices.Clone(env), "KINESIN_ENDPOINT="+srv.URL(),
				"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("docs/video.md: %v\n%s", err, out)
			}
			t.Logf("docs/video.md:\n%s", out)
		})
	})
}

// shellBlocks returns the ```sh blocks of a Markdown file, in order.
func shellBlocks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```sh":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	if len(blocks) == 0 {
		t.Fatalf("%s has no sh blocks", path)
	}
	return blocks
}

// buildFunctionWasm builds examples/functions/go-handler as a WebAssembly
// module and zips it, as the AWS CLI wants --zip-file to be a ZIP.
func buildFunctionWasm(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-buildmode=c-shared", "-o", filepath.Join(dir, "handler.wasm"), "../../examples/functions/go-handler")
	build.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build go-handler: %v\n%s", err, b)
	}
	return zipFile(t, dir, "handler.wasm", 0o644)
}

// buildFunctionZip builds examples/functions/lambda-noop as a
// provided.al2023 deployment package, as a user would for AWS.
func buildFunctionZip(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), "../../examples/functions/lambda-noop")
	build.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build lambda-noop: %v\n%s", err, out)
	}
	return zipFile(t, dir, "bootstrap", 0o755)
}

// zipFile packs dir/name into dir/function.zip and returns its path.
func zipFile(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "function.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(mode)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return zipPath
}
