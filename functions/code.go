package functions

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Package limits, as Lambda sets them.
const (
	maxUnzippedBytes = 262144000
	wasmMagic        = "\x00asm"
)

// codePackage is an uploaded deployment package.
type codePackage struct {
	data   []byte
	sha    string // base64 SHA-256, as CodeSha256 reports it
	hexSum string // object name
}

func newPackage(data []byte) codePackage {
	sum := sha256.Sum256(data)
	return codePackage{data: data, sha: base64.StdEncoding.EncodeToString(sum[:]), hexSum: hex.EncodeToString(sum[:])}
}

func hexOfSha(b64 string) string {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return ""
	}
	return hex.EncodeToString(b)
}

var errUnzip = InvalidParameter.New("Could not unzip uploaded file. Please check your file, then try to upload again.")

// checkPackage validates a package for its runtime as CreateFunction does
// (synchronously; the engine's deeper check runs in the background).
func checkPackage(runtime string, data []byte) error {
	if isWasm(runtime) {
		_, err := wasmModule(data)
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errUnzip
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if !safeZipPath(f.Name) {
			return errUnzip
		}
	}
	if total > maxUnzippedBytes {
		return InvalidParameter.New("Unzipped size must be smaller than %d bytes", maxUnzippedBytes)
	}
	return nil
}

func isWasm(runtime string) bool { return runtime == "wasm" }

// wasmModule returns the module of a wasm package: the raw module, or the
// one .wasm file of a ZIP.
func wasmModule(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, []byte(wasmMagic)) {
		return data, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, InvalidParameter.New("The code of a wasm function must be a WebAssembly module or a ZIP file holding one .wasm file.")
	}
	var mod *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".wasm") && !f.FileInfo().IsDir() {
			if mod != nil {
				return nil, InvalidParameter.New("The ZIP file holds more than one .wasm file (%s, %s).", mod.Name, f.Name)
			}
			mod = f
		}
	}
	if mod == nil {
		return nil, InvalidParameter.New("The ZIP file holds no .wasm file.")
	}
	if mod.UncompressedSize64 > maxUnzippedBytes {
		return nil, InvalidParameter.New("Unzipped size must be smaller than %d bytes", maxUnzippedBytes)
	}
	rc, err := mod.Open()
	if err != nil {
		return nil, errUnzip
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxUnzippedBytes+1))
	if err != nil || !bytes.HasPrefix(b, []byte(wasmMagic)) {
		return nil, InvalidParameter.New("%s is not a WebAssembly module.", mod.Name)
	}
	return b, nil
}

func safeZipPath(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return false
		}
	}
	return true
}

// extractZip unpacks a package into dir (which must not exist) through a
// temporary sibling renamed into place, so that processes sharing the code
// directory never see half a tree. File modes from the ZIP are kept; a
// top-level bootstrap is made executable whatever the ZIP says, since ZIPs
// made on Windows carry no modes.
func extractZip(data []byte, dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errUnzip
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("functions: code dir: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".extract-")
	if err != nil {
		return fmt.Errorf("functions: code dir: %w", err)
	}
	defer os.RemoveAll(tmp) // after a successful rename this is a no-op
	for _, f := range zr.File {
		if err := extractFile(f, tmp); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil // another process won the race
		}
		return fmt.Errorf("functions: code dir: %w", err)
	}
	return nil
}

func extractFile(f *zip.File, root string) error {
	if !safeZipPath(f.Name) {
		return errUnzip
	}
	name := path.Clean(f.Name)
	target := filepath.Join(root, filepath.FromSlash(name))
	mode := f.Mode()
	if mode.IsDir() {
		return os.MkdirAll(target, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("functions: extract %s: %w", f.Name, err)
	}
	rc, err := f.Open()
	if err != nil {
		return errUnzip
	}
	defer rc.Close()
	if mode&fs.ModeSymlink != 0 {
		dest, err := io.ReadAll(io.LimitReader(rc, 4096))
		if err != nil {
			return errUnzip
		}
		d := string(dest)
		// Only links that stay inside the package.
		if filepath.IsAbs(d) || !strings.HasPrefix(filepath.Clean(filepath.Join(filepath.Dir(target), d)), root+string(filepath.Separator)) {
			return nil
		}
		return os.Symlink(d, target)
	}
	perm := mode.Perm()
	if perm == 0 {
		perm = 0o644
	}
	perm |= 0o400 // the runtime must be able to read everything
	if name == "bootstrap" {
		perm |= 0o555
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("functions: extract %s: %w", f.Name, err)
	}
	if _, err := io.Copy(out, io.LimitReader(rc, maxUnzippedBytes)); err != nil {
		out.Close()
		return errUnzip
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("functions: extract %s: %w", f.Name, err)
	}
	return os.Chmod(target, perm) // umask must not strip the ZIP's bits
}

// codeCache keeps loaded code per package: the wasm module bytes, or the
// directory a Lambda package was extracted to.
type codeCache struct {
	mu    sync.Mutex
	wasm  map[string][]byte
	size  int
	limit int
}

func (c *codeCache) getWasm(hexSum string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wasm[hexSum]
}

func (c *codeCache) putWasm(hexSum string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wasm == nil {
		c.wasm = map[string][]byte{}
	}
	if _, ok := c.wasm[hexSum]; ok {
		return
	}
	for k, v := range c.wasm {
		if c.size+len(b) <= c.limit {
			break
		}
		delete(c.wasm, k)
		c.size -= len(v)
	}
	c.wasm[hexSum] = b
	c.size += len(b)
}
