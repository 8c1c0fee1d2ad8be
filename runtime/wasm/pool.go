package wasm

import (
	"context"
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
	c       *compiled
	cfg     wazero.ModuleConfig
	timeout time.Duration
	// highWater: an instance whose memory grew past it is not reused, so
	// one big batch does not pin memory for the instance's life.
	highWater uint32
	sem       chan struct{}

	mu     sync.Mutex
	idle   []*instance
	closed bool
}

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
		return nil, errClosed
	}
	if p := e.pools[fn.Name][key]; p != nil {
		return p, nil
	}
	n := fn.Concurrency
	if n <= 0 {
		n = e.cfg.MaxInstances
	}
	p = &pool{
		c: c, cfg: moduleConfig(fn), timeout: timeout,
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
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 && !p.closed {
		inst := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return inst, nil
	}
	p.mu.Unlock()
	inst, err := newInstance(ctx, p.c, p.cfg)
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

func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, inst := range idle {
		inst.close()
	}
}
