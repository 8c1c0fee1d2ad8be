package wasm

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/tetratelabs/wazero"
)

// Config configures an Engine.
type Config struct {
	// CacheDir holds wazero's compilation cache; "" keeps it in memory.
	CacheDir string
	// Logger receives function log lines and engine events; nil discards.
	Logger *slog.Logger
	// MaxInstances caps concurrent calls (and so instances) per function
	// version whose Concurrency is 0; 0 means 2×GOMAXPROCS.
	MaxInstances int
	// Uninterruptible compiles code without the checks wazero inserts at
	// every loop header and function entry so that a call can be stopped
	// at its Timeout. Measured with Go guests, those checks make guest code
	// about 10 times slower (Go's wasm code runs a loop in every
	// function). Without them a call that never returns can never be
	// stopped: its goroutine and instance are lost. Only for trusted code.
	Uninterruptible bool
}

// Defaults applied when a Function leaves them zero (Lambda's).
const (
	defaultMemoryMB = 128
	defaultTimeout  = 3_000_000_000 // 3 s
	maxLogBytes     = 1 << 20       // captured per invocation
)

// Engine runs WebAssembly functions. It is safe for concurrent use.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	cache wazero.CompilationCache

	mu       sync.Mutex
	runtimes map[uint32]wazero.Runtime // by memory cap in pages
	compiled map[compileKey]*compiled
	pools    map[string]map[poolKey]*pool // by function name
	closed   bool
}

var _ engine.Engine = (*Engine)(nil)

// New returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.MaxInstances <= 0 {
		cfg.MaxInstances = 2 * runtime.GOMAXPROCS(0)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cache := wazero.NewCompilationCache()
	if cfg.CacheDir != "" {
		var err error
		if cache, err = wazero.NewCompilationCacheWithDir(cfg.CacheDir); err != nil {
			return nil, fmt.Errorf("wasm: compilation cache: %w", err)
		}
	}
	return &Engine{
		cfg: cfg, log: log, cache: cache,
		runtimes: map[uint32]wazero.Runtime{},
		compiled: map[compileKey]*compiled{},
		pools:    map[string]map[poolKey]*pool{},
	}, nil
}

// Evict drops the warm instances of every version of the function named;
// calls in flight finish, then their instances are closed.
func (e *Engine) Evict(name string) {
	e.mu.Lock()
	pools := e.pools[name]
	delete(e.pools, name)
	e.mu.Unlock()
	for _, p := range pools {
		p.close()
	}
	e.dropUnusedCompiled()
}

// Close closes every instance, compiled module and runtime.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	pools := e.pools
	e.pools = map[string]map[poolKey]*pool{}
	runtimes := e.runtimes
	e.runtimes = map[uint32]wazero.Runtime{}
	e.compiled = map[compileKey]*compiled{}
	e.mu.Unlock()
	for _, ps := range pools {
		for _, p := range ps {
			p.close()
		}
	}
	var first error
	for _, r := range runtimes {
		if err := r.Close(ctx); err != nil && first == nil {
			first = fmt.Errorf("wasm: close runtime: %w", err)
		}
	}
	if err := e.cache.Close(ctx); err != nil && first == nil {
		first = fmt.Errorf("wasm: close cache: %w", err)
	}
	return first
}
