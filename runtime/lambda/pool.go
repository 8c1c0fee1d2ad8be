package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/kinesin/kinesin/runtime/engine"
)

// poolKey names one function version's code and configuration.
type poolKey struct{ name, version, sha, dir string }

func keyOf(fn *engine.Function) poolKey {
	return poolKey{fn.Name, fn.Version, fn.CodeSHA256, fn.CodeDir}
}

// pool holds the processes of one function version. A slot of sem is held
// by each running invocation, so there are never more processes than
// slots: a process is idle or serves the holder of one slot.
type pool struct {
	fn  engine.Function
	cfg *Config
	log *slog.Logger
	sem chan struct{}
	// waiting counts the invocations waiting for a slot.
	waiting atomic.Int32
	// emptied is called when the pool, closed, has no process left.
	emptied func()

	mu     sync.Mutex
	idle   []*process // most recently used last
	all    map[*process]struct{}
	closed bool
}

var errClosed = errors.New("lambda: engine closed")

// errPoolClosed: the pool was evicted (or the engine closed) while the
// invocation waited for it; Engine.Invoke takes a fresh pool then, which
// fails with errClosed only when the engine itself is closed.
var errPoolClosed = errors.New("lambda: pool closed")

func newPool(fn *engine.Function, cfg *Config) *pool {
	n := fn.Concurrency
	if n <= 0 {
		n = cfg.Concurrency
	}
	return &pool{
		fn:  *fn,
		cfg: cfg,
		log: cfg.Logger.With("function", fn.Name, "version", fn.Version),
		sem: make(chan struct{}, n),
		all: make(map[*process]struct{}),
	}
}

func (pl *pool) acquire(ctx context.Context) error {
	select {
	case pl.sem <- struct{}{}:
		return nil
	default:
	}
	pl.waiting.Add(1)
	defer pl.waiting.Add(-1)
	select {
	case pl.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("lambda: %s: %w: %w", pl.fn.Name, engine.ErrNoCapacity, ctx.Err())
	}
}

func (pl *pool) releaseSlot() { <-pl.sem }

// takeIdle pops the warmest live idle process.
func (pl *pool) takeIdle() (*process, error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closed {
		return nil, errPoolClosed
	}
	for len(pl.idle) > 0 {
		p := pl.idle[len(pl.idle)-1]
		pl.idle = pl.idle[:len(pl.idle)-1]
		if p.alive() {
			return p, nil
		}
		delete(pl.all, p)
	}
	return nil, nil
}

// start starts a process and registers it.
func (pl *pool) start(first *call) (*process, error) {
	pl.mu.Lock()
	if pl.closed {
		pl.mu.Unlock()
		return nil, errPoolClosed
	}
	pl.mu.Unlock()
	p, err := pl.startProcess(first)
	if err != nil {
		return nil, err
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closed {
		p.kill()
		return nil, errPoolClosed
	}
	pl.all[p] = struct{}{}
	return p, nil
}

// put returns a process after an invocation: idle when it is healthy,
// killed when the pool is gone.
func (pl *pool) put(p *process) {
	pl.mu.Lock()
	if pl.closed || !p.alive() {
		p.kill()
		pl.removeLocked(p)
		return
	}
	pl.idle = append(pl.idle, p)
	pl.mu.Unlock()
}

// discard kills a process that must not serve again.
func (pl *pool) discard(p *process) {
	p.kill()
	pl.mu.Lock()
	pl.removeLocked(p)
}

// removeLocked forgets p and unlocks pl.mu; the last process of a closed
// pool calls emptied.
func (pl *pool) removeLocked(p *process) {
	delete(pl.all, p)
	empty := pl.closed && len(pl.all) == 0
	pl.mu.Unlock()
	if empty && pl.emptied != nil {
		pl.emptied()
	}
}

// close kills every process and waits until they are reaped.
func (pl *pool) close(ctx context.Context) {
	pl.mu.Lock()
	pl.closed = true
	procs := make([]*process, 0, len(pl.all))
	for p := range pl.all {
		procs = append(procs, p)
	}
	pl.idle = nil
	pl.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	for _, p := range procs {
		select {
		case <-p.exited:
		case <-ctx.Done():
			return
		}
	}
}

// evict stops the pool: idle processes are killed now, busy ones when
// their invocation ends. It reports whether no process is left.
func (pl *pool) evict() (empty bool) {
	pl.mu.Lock()
	pl.closed = true
	idle := pl.idle
	pl.idle = nil
	for _, p := range idle {
		delete(pl.all, p)
	}
	empty = len(pl.all) == 0
	pl.mu.Unlock()
	for _, p := range idle {
		p.kill()
	}
	return empty
}
