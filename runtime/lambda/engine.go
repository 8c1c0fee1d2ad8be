package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kinesin/kinesin/internal/uuid"
	"github.com/kinesin/kinesin/runtime/engine"
)

// Config configures the engine; zero values take the defaults.
type Config struct {
	// Logger receives engine events and the functions' output lines.
	Logger *slog.Logger
	// Concurrency is the number of processes per function version when
	// Function.Concurrency is 0 (default 4).
	Concurrency int
	// Timeout applies when Function.Timeout is 0 (default 3s, as Lambda).
	Timeout time.Duration
	// InitTimeout bounds a process's start until its first GET /next
	// (default 10s, as Lambda's init phase).
	InitTimeout time.Duration
	// MaxResponseBytes caps a response posted by a function (default
	// 6 MB, Lambda's synchronous payload limit).
	MaxResponseBytes int64
	// GoMaxProcs is the GOMAXPROCS processes get unless the function sets
	// it; 0 gives Lambda's CPU share, one CPU per 1,769 MB of memory
	// (at least one, at most the machine's). Go runtimes otherwise size
	// themselves to the whole machine and spin on cores they do not get;
	// other runtimes ignore the variable.
	GoMaxProcs int
	// Credentials given to processes (default dummy values).
	AccessKeyID, SecretAccessKey, SessionToken string
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Second
	}
	if c.InitTimeout <= 0 {
		c.InitTimeout = 10 * time.Second
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 6 << 20
	}
	if c.AccessKeyID == "" {
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken = "kinesin", "kinesin", "kinesin"
	}
	return c
}

// Engine runs Lambda Runtime API bootstrap processes.
type Engine struct {
	cfg Config

	mu    sync.RWMutex
	pools map[poolKey]*pool
	// evicted holds evicted pools until their busy processes are gone,
	// so that Close kills those too.
	evicted map[*pool]struct{}
	closed  bool
}

var _ engine.Engine = (*Engine)(nil)

// New returns an engine; processes start on first use.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	return &Engine{cfg: cfg, pools: make(map[poolKey]*pool), evicted: make(map[*pool]struct{})}, nil
}

// Validate checks that fn.CodeDir holds an executable bootstrap.
func (e *Engine) Validate(_ context.Context, fn *engine.Function) error {
	if fn.CodeDir == "" {
		return fmt.Errorf("lambda: function %s has no code directory", fn.Name)
	}
	path := filepath.Join(fn.CodeDir, "bootstrap")
	st, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("lambda: function %s: the deployment package has no bootstrap file at its root", fn.Name)
	case err != nil:
		return fmt.Errorf("lambda: function %s: %w", fn.Name, err)
	case st.IsDir():
		return fmt.Errorf("lambda: function %s: bootstrap is a directory", fn.Name)
	case st.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("lambda: function %s: bootstrap is not executable (chmod +x bootstrap before zipping)", fn.Name)
	}
	return nil
}

// Invoke runs one invocation on a warm or new process of fn.
func (e *Engine) Invoke(ctx context.Context, fn *engine.Function, inv engine.Invocation) (engine.Result, error) {
	if inv.RequestID == "" { // one id across the pools it may try
		inv.RequestID = newRequestID()
	}
	for {
		pl, err := e.pool(fn)
		if err != nil {
			return engine.Result{}, err
		}
		// An evicted pool starts no process: take a fresh pool then.
		res, err := pl.invoke(ctx, inv)
		if !errors.Is(err, errPoolClosed) {
			return res, err
		}
	}
}

func (e *Engine) pool(fn *engine.Function) (*pool, error) {
	k := keyOf(fn)
	e.mu.RLock()
	pl, ok := e.pools[k]
	closed := e.closed
	e.mu.RUnlock()
	if ok {
		return pl, nil
	}
	if closed {
		return nil, errClosed
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errClosed
	}
	if pl, ok = e.pools[k]; !ok {
		pl = newPool(fn, &e.cfg)
		pl.emptied = func() { e.forget(pl) }
		e.pools[k] = pl
	}
	return pl, nil
}

// Evict kills the processes of every version of the function; running
// invocations finish first, their processes are then stopped.
func (e *Engine) Evict(name string) {
	e.mu.Lock()
	var gone []*pool
	for k, pl := range e.pools {
		if k.name == name {
			gone = append(gone, pl)
			delete(e.pools, k)
			e.evicted[pl] = struct{}{}
		}
	}
	e.mu.Unlock()
	for _, pl := range gone {
		if pl.evict() {
			e.forget(pl)
		}
	}
}

// forget drops an evicted pool that has no process left.
func (e *Engine) forget(pl *pool) {
	e.mu.Lock()
	delete(e.evicted, pl)
	e.mu.Unlock()
}

// Close kills every process and waits until they are reaped (or ctx ends).
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	pools := make([]*pool, 0, len(e.pools)+len(e.evicted))
	for _, pl := range e.pools {
		pools = append(pools, pl)
	}
	for pl := range e.evicted {
		pools = append(pools, pl)
	}
	e.pools = make(map[poolKey]*pool)
	e.evicted = make(map[*pool]struct{})
	e.mu.Unlock()
	for _, pl := range pools {
		pl.close(ctx)
	}
	return ctx.Err()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newRequestID is a random UUID v4, as Lambda's request ids.
func newRequestID() string { return uuid.New() }
