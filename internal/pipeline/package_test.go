package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadChecksPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data string, mode os.FileMode) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("fn.wasm", "\x00asm", 0o644)
	write("pkg.zip", "PK", 0o644)
	write("bin/bootstrap", "#!/bin/sh\n", 0o755)
	write("src/main.go", "package main\nfunc main() {}\n", 0o644)
	write("notes.txt", "hello", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("pipeline.yaml", `functions:
  - name: a
    path: fn.wasm
  - name: b
    runtime: provided.al2023
    path: pkg.zip
  - name: c
    runtime: provided.al2023
    path: bin/bootstrap
  - name: d
    path: src
  - name: e
    path: missing.wasm
  - name: f
    runtime: provided
    path: notes.txt
  - name: g
    path: empty
`, 0o644)
	path := filepath.Join(dir, "pipeline.yaml")
	_, err := Load(path)
	want := []string{
		path + ":13: functions[4].path: " + filepath.Join(dir, "missing.wasm") + " does not exist",
		path + ":16: functions[5].path: " + filepath.Join(dir, "notes.txt") + " is neither a .wasm module, a .zip package, an executable nor a directory with a Go main package",
		path + ":18: functions[6].path: directory " + filepath.Join(dir, "empty") + " holds no Go package",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("Load error:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}

	// Paths are relative to the file's directory, not the working one.
	f, err := Parse(filepath.Join(dir, "p.yaml"), []byte("functions:\n  - name: a\n    path: fn.wasm\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Functions[0].Path; got != filepath.Join(dir, "fn.wasm") {
		t.Errorf("Path = %q, want it next to the pipeline file", got)
	}
	if err := f.CheckPaths(); err != nil {
		t.Errorf("CheckPaths: %v", err)
	}
}

func TestPackageFiles(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "fn.wasm")
	zipped := filepath.Join(dir, "fn.zip")
	exe := filepath.Join(dir, "bootstrap")
	for path, data := range map[string]string{wasm: "\x00asm\x01\x00\x00\x00", zipped: "PK\x03\x04 not really", exe: "#!/bin/sh\necho hi\n"} {
		if err := os.WriteFile(path, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, c := range []struct{ path, runtime string }{{wasm, RuntimeWasm}, {zipped, "provided.al2023"}, {zipped, RuntimeWasm}} {
		got, err := Package(ctx, c.path, c.runtime, nil)
		want, _ := os.ReadFile(c.path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Package(%s, %s) = %q, %v; want the file as it is", filepath.Base(c.path), c.runtime, got, err)
		}
	}
	a, err := Package(ctx, exe, "provided.al2023", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	checkBootstrap(t, a, "#!/bin/sh\necho hi\n")
	b, _ := Package(ctx, exe, "provided.al2023", io.Discard)
	if CodeSha256(a) != CodeSha256(b) {
		t.Error("packaging the same executable twice gave different CodeSha256")
	}
	if _, err := Package(ctx, filepath.Join(dir, "missing"), RuntimeWasm, nil); err == nil {
		t.Error("Package(missing) succeeded")
	}
}

// TestPackageBuild builds a Go main package for both kinds of runtime, twice,
// and wants the same bytes each time (apply relies on it to skip unchanged
// code).
func TestPackageBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go code")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/fn\n\ngo 1.24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { println(\"hi\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, runtime := range []string{"provided.al2023", RuntimeWasm} {
		var log bytes.Buffer
		a, err := Package(ctx, dir, runtime, &log)
		if err != nil {
			t.Fatalf("%s: %v\n%s", runtime, err, log.String())
		}
		if !strings.HasPrefix(log.String(), "building ") {
			t.Errorf("%s: log = %q, want a building line", runtime, log.String())
		}
		b, err := Package(ctx, dir, runtime, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if CodeSha256(a) != CodeSha256(b) {
			t.Errorf("%s: two builds of the same sources differ", runtime)
		}
		if runtime == RuntimeWasm {
			if !bytes.HasPrefix(a, []byte("\x00asm")) {
				t.Errorf("wasm build is not a WebAssembly module: % x", a[:min(8, len(a))])
			}
			continue
		}
		checkBootstrap(t, a, "\x7fELF")
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if _, err := Package(ctx, dir, "provided.al2023", &log); err == nil || !strings.Contains(log.String(), "undefined") {
		t.Errorf("broken build: err = %v, log = %q; want an error and the compiler's output", err, log.String())
	}
}

// checkBootstrap checks that pkg is a ZIP holding one executable bootstrap
// whose content starts with prefix.
func checkBootstrap(t *testing.T, pkg []byte, prefix string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode()&0o111 == 0 {
		t.Fatalf("want one executable bootstrap, got %v", zr.File)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	if !strings.HasPrefix(string(data), prefix) {
		t.Errorf("bootstrap starts with %q, want %q", data[:min(len(data), len(prefix))], prefix)
	}
}
