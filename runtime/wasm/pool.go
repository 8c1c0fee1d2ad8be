package wasm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/tetratelabs/wazero"
)

// poolKey identifies a function version's code and configuration.
type poolKey struct {
	version, sha string
	pages        uint32
	timeout      time.Duration
}

// pool holds the instances of one function version: at most cap(sem)
// calls run at once, each on its own instance.
type pool struct {
	e       *Engine
	c       *compiled // referenced until closed with no instance being made
	cfg     wazero.ModuleConfig
	timeout time.Duration
	// highWater: an instance whose memory grew past it is not reused, so
	// one big batch does not pin memory for the instance's life.
	highWater uint32
	sem       chan struct{}

	mu       sync.Mutex
	idle     []*instance
	closed   bool
	creating int // instances being made from c
}

// errPoolClosed: the pool was evicted; the caller takes a fresh one.
var errPoolClosed = errors.New("wasm: pool closed")

// pool returns fn's pool, compiling fn's code on first use.
func (e *Engine) pool(ctx context.Context, fn *engine.Function) (*pool, error) {
	timeout := fn.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	key := poolKey{fn.Version, codeKey(fn), memPages(fn), timeout}
	e.mu.Lock()
	p := e.pools[fn.Name][key]
	e.mu.Unlock()
	if p != nil {
		return p, nil
	}
	c, err := e.compile(ctx, fn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		c.refs--
		return nil, errClosed
	}
	if p := e.pools[fn.Name][key]; p != nil {
		c.refs--
		return p, nil
	}
	n := fn.Concurrency
	if n <= 0 {
		n = e.cfg.MaxInstances
	}
	p = &pool{
		e: e, c: c, cfg: moduleConfig(fn), timeout: timeout,
		highWater: key.pages / 4 * 3 * 65536,
		sem:       make(chan struct{}, n),
	}
	if e.pools[fn.Name] == nil {
		e.pools[fn.Name] = map[poolKey]*pool{}
	}
	e.pools[fn.Name][key] = p
	return p, nil
}

// acquire waits for a free slot and returns an idle or new instance.
func (p *pool) acquire(ctx context.Context) (*instance, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", engine.ErrNoCapacity, ctx.Err())
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.sem
		return nil, errPoolClosed
	}
	if n := len(p.idle); n > 0 {
		inst := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return inst, nil
	}
	p.creating++
	p.mu.Unlock()
	inst, err := newInstance(ctx, p.c, p.cfg)
	p.mu.Lock()
	p.creating--
	last := p.closed && p.creating == 0
	p.mu.Unlock()
	if last {
		p.e.unref(p.c)
	}
	if err != nil {
		<-p.sem
		return nil, err
	}
	return inst, nil
}

// release returns inst to the pool, or closes it when it is not reusable.
func (p *pool) release(inst *instance, reusable bool) {
	if reusable && inst.mem.Size() > p.highWater {
		reusable = false
	}
	p.mu.Lock()
	if reusable && !p.closed {
		p.idle = append(p.idle, inst)
		inst = nil
	}
	p.mu.Unlock()
	if inst != nil {
		inst.close()
	}
	<-p.sem
}

// close closes the idle instances; the compiled module is released once
// no instance is being made from it.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	idle := p.idle
	p.idle = nil
	last := p.creating == 0
	p.mu.Unlock()
	for _, inst := range idle {
		inst.close()
	}
	if last {
		p.e.unref(p.c)
	}
}
