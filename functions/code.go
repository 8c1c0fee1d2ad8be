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
	// Every write goes through root, so no entry, however it chains links
	// the package made, can write outside tmp.
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return fmt.Errorf("functions: code dir: %w", err)
	}
	defer root.Close()
	for _, f := range zr.File {
		if err := extractFile(f, root); err != nil {
			return err
		}
	}
	if err := root.Close(); err != nil {
		return fmt.Errorf("functions: code dir: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil // another process won the race
		}
		return fmt.Errorf("functions: code dir: %w", err)
	}
	return nil
}

// throughLink reports whether a parent directory of name (slash-separated,
// clean) is a symbolic link: the package may not place entries through its
// own links, whose real location its link-target check could not know.
func throughLink(root *os.Root, name string) bool {
	for i := range len(name) {
		if name[i] != '/' {
			continue
		}
		if fi, err := root.Lstat(filepath.FromSlash(name[:i])); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return true
		}
	}
	return false
}

// safeLinkTarget reports whether a link at name (slash-separated, clean)
// pointing to dest stays inside the package: relative, and its ".." only
// leading, so that the links it may pass through (each inside the
// package) cannot take it out.
func safeLinkTarget(name, dest string) bool {
	if dest == "" || path.IsAbs(dest) || strings.ContainsRune(dest, '\\') {
		return false
	}
	up, named := 0, false
	for _, part := range strings.Split(dest, "/") {
		switch part {
		case "", ".":
		case "..":
			if named {
				return false
			}
			up++
		default:
			named = true
		}
	}
	return up < strings.Count(name, "/")+1 && named
}

func extractFile(f *zip.File, root *os.Root) error {
	if !safeZipPath(f.Name) {
		return errUnzip
	}
	name := path.Clean(f.Name)
	target := filepath.FromSlash(name)
	if throughLink(root, name) {
		return errUnzip
	}
	mode := f.Mode()
	if mode.IsDir() {
		if err := root.MkdirAll(target, 0o755); err != nil {
			return errUnzip
		}
		return nil
	}
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return errUnzip
		}
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
		// Only links that stay inside the package.
		if !safeLinkTarget(name, string(dest)) {
			return nil
		}
		if err := root.Symlink(string(dest), target); err != nil {
			return errUnzip
		}
		return nil
	}
	perm := mode.Perm()
	if perm == 0 {
		perm = 0o644
	}
	perm |= 0o400 // the runtime must be able to read everything
	if name == "bootstrap" {
		perm |= 0o555
	}
	out, err := root.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return errUnzip
	}
	if _, err := io.Copy(out, io.LimitReader(rc, maxUnzippedBytes)); err != nil {
		out.Close()
		return errUnzip
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("functions: extract %s: %w", f.Name, err)
	}
	return root.Chmod(target, perm) // umask must not strip the ZIP's bits
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
