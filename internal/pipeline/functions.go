package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func buildFunction(f *File, e *entry) {
	fn := Function{
		Name:        e.str("name"),
		Runtime:     e.str("runtime"),
		Handler:     e.str("handler"),
		Timeout:     e.int("timeout"),
		Memory:      e.int("memory"),
		Environment: e.strMap("environment"),
		Line:        e.node.Line,
		pathLine:    e.line("path"),
	}
	if p := e.str("path"); p != "" {
		fn.Path = filepath.FromSlash(p)
		if !filepath.IsAbs(fn.Path) {
			fn.Path = filepath.Join(filepath.Dir(e.p.name), fn.Path)
		}
	}
	if c, ok := e.vals["concurrency"].(int); ok {
		fn.Concurrency = &c
	}
	if strings.HasSuffix(fn.Path, ".wasm") && fn.Runtime != "" && fn.Runtime != RuntimeWasm {
		e.errorf("runtime", "a .wasm module runs only with runtime: %s, not %s", RuntimeWasm, fn.Runtime)
	}
	f.Functions = append(f.Functions, fn)
}

func uniqueFunctionNames(_ *File, es []*entry) { uniqueNames("function", es) }

func uniqueStreamNames(_ *File, es []*entry) { uniqueNames("stream", es) }

// uniqueNames reports entries whose name an earlier entry already has.
func uniqueNames(kind string, es []*entry) {
	first := map[string]*entry{}
	for _, e := range es {
		name := e.str("name")
		if name == "" {
			continue
		}
		if prev, dup := first[name]; dup {
			e.errorf("name", "duplicate %s %q (also %s at line %d)", kind, name, prev.path, prev.line("name"))
			continue
		}
		first[name] = e
	}
}

// CheckPaths reports, as Errors, the function paths that do not lead to
// code Package can use: a missing file, a directory without Go files, or a
// file that is neither a .wasm module, a .zip package nor an executable.
// Load calls it; Parse does not, since it reads no other file.
func (f *File) CheckPaths() error {
	var errs Errors
	for i, fn := range f.Functions {
		if msg := checkPath(fn.Path); msg != "" {
			errs = append(errs, &Error{File: f.Name, Line: fn.pathLine, Path: fmt.Sprintf("functions[%d].path", i), Msg: msg})
		}
	}
	errs = append(errs, f.checkApplicationCode()...)
	if len(errs) == 0 {
		return nil
	}
	errs.sort()
	return errs
}

func checkPath(path string) string {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s does not exist", path)
	case err != nil:
		return err.Error()
	case info.IsDir():
		gofiles, _ := filepath.Glob(filepath.Join(path, "*.go"))
		if len(gofiles) == 0 {
			return fmt.Sprintf("directory %s holds no Go package", path)
		}
	case !info.Mode().IsRegular():
		return fmt.Sprintf("%s is not a regular file or a directory", path)
	case strings.HasSuffix(path, ".wasm"), strings.HasSuffix(path, ".zip"), info.Mode()&0o111 != 0:
	default:
		return fmt.Sprintf("%s is neither a .wasm module, a .zip package, an executable nor a directory with a Go main package", path)
	}
	return ""
}
