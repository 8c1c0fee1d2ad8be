package wasm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// Guests are built once per test run, with the go command running the
// tests, into a temporary directory.
var guests = struct {
	once sync.Once
	dir  string
	mu   sync.Mutex
	code map[string][]byte
	errs map[string]error
}{code: map[string][]byte{}}

var guestPkgs = map[string]string{
	"transform": "../../examples/functions/go-transform",
	"handler":   "../../examples/functions/go-handler",
	"faults":    "./testdata/faults",
	"wrongabi":  "./testdata/wrongabi",
	"enrich":    "./testdata/enrich",
}

func TestMain(m *testing.M) {
	code := m.Run()
	if guests.dir != "" {
		os.RemoveAll(guests.dir)
	}
	os.Exit(code)
}

// guest returns the WebAssembly module of a test guest. The first call
// builds every guest, in parallel.
func guest(tb testing.TB, name string) []byte {
	tb.Helper()
	guests.once.Do(buildGuests)
	guests.mu.Lock()
	defer guests.mu.Unlock()
	if err := guests.errs[name]; err != nil {
		tb.Fatal(err)
	}
	return guests.code[name]
}

func buildGuests() {
	guests.errs = map[string]error{}
	dir, err := os.MkdirTemp("", "kinesin-wasm-guests")
	if err != nil {
		for name := range guestPkgs {
			guests.errs[name] = err
		}
		return
	}
	guests.dir = dir
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	var wg sync.WaitGroup
	for name, pkg := range guestPkgs {
		wg.Go(func() {
			out := filepath.Join(dir, name+".wasm")
			cmd := exec.Command(goCmd, "build", "-buildmode=c-shared", "-o", out, pkg)
			cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
			msg, err := cmd.CombinedOutput()
			var code []byte
			if err == nil {
				code, err = os.ReadFile(out)
			} else {
				err = fmt.Errorf("build guest %s: %v\n%s", name, err, msg)
			}
			guests.mu.Lock()
			guests.code[name], guests.errs[name] = code, err
			guests.mu.Unlock()
		})
	}
	wg.Wait()
}

// function returns a Function running the named guest.
func function(tb testing.TB, name string) *engine.Function {
	return &engine.Function{
		Name: name, Version: "$LATEST", Runtime: "wasm", Code: guest(tb, name),
		CodeSHA256: name, MemoryMB: 128, Timeout: 5 * time.Second,
		Region: "us-east-1", AccountID: "000000000000",
	}
}

func newEngine(tb testing.TB) *Engine {
	tb.Helper()
	guest(tb, "faults") // makes guests.dir
	e, err := New(Config{CacheDir: filepath.Join(guests.dir, "cache")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close(context.Background()) })
	return e
}
