package wasm

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// compileKey identifies compiled code: a CompiledModule belongs to the
// Runtime (memory cap) it was compiled by.
type compileKey struct {
	pages uint32
	sha   string
}

// compiled is a module compiled once; ready closes when mod or err is set.
type compiled struct {
	ready chan struct{}
	mod   wazero.CompiledModule
	err   error
	rt    wazero.Runtime
	// refs counts the pools and Validate calls using mod, under
	// Engine.mu; dropUnusedCompiled closes mod only at 0.
	refs int
}

var errClosed = errors.New("wasm: engine closed")

// memPages is the memory cap of fn in 64 KiB pages.
func memPages(fn *engine.Function) uint32 {
	mb := fn.MemoryMB
	if mb <= 0 {
		mb = defaultMemoryMB
	}
	return uint32(min(mb*16, 65536))
}

func codeKey(fn *engine.Function) string {
	if fn.CodeSHA256 != "" {
		return fn.CodeSHA256
	}
	sum := sha256.Sum256(fn.Code)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// runtimeLocked returns the Runtime for a memory cap; e.mu is held.
func (e *Engine) runtimeLocked(pages uint32) (wazero.Runtime, error) {
	if r := e.runtimes[pages]; r != nil {
		return r, nil
	}
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().
		WithMemoryLimitPages(pages).
		WithCloseOnContextDone(!e.cfg.Uninterruptible).
		WithCompilationCache(e.cache))
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
		_ = r.Close(ctx)
		return nil, fmt.Errorf("wasm: wasi: %w", err)
	}
	e.runtimes[pages] = r
	return r, nil
}

// compile returns fn's compiled module, compiling it once however many
// callers ask at the same time. A failed compilation is not cached.
func (e *Engine) compile(ctx context.Context, fn *engine.Function) (*compiled, error) {
	key := compileKey{memPages(fn), codeKey(fn)}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, errClosed
	}
	c := e.compiled[key]
	first := c == nil
	if first {
		r, err := e.runtimeLocked(key.pages)
		if err != nil {
			e.mu.Unlock()
			return nil, err
		}
		c = &compiled{ready: make(chan struct{}), rt: r}
		e.compiled[key] = c
	}
	c.refs++ // the caller's, released by unref unless an error is returned
	e.mu.Unlock()
	if first {
		c.mod, c.err = c.rt.CompileModule(context.WithoutCancel(ctx), fn.Code)
		if c.err != nil {
			c.err = fmt.Errorf("wasm: module does not compile: %w", c.err)
		} else if c.err = checkExports(c.mod); c.err != nil {
			_ = c.mod.Close(context.Background())
		}
		if c.err != nil {
			e.mu.Lock()
			if e.compiled[key] == c {
				delete(e.compiled, key)
			}
			e.mu.Unlock()
		}
		close(c.ready)
	}
	select {
	case <-c.ready:
	case <-ctx.Done():
		e.unref(c)
		return nil, ctx.Err()
	}
	if c.err != nil {
		e.unref(c)
		return nil, c.err
	}
	return c, nil
}

// unref gives back a reference compile returned.
func (e *Engine) unref(c *compiled) {
	e.mu.Lock()
	c.refs--
	e.mu.Unlock()
}

// abiExports are the functions ABI v1 requires, with their signatures.
var abiExports = []struct {
	name            string
	params, results []api.ValueType
}{
	{"kinesin_abi_version", nil, []api.ValueType{api.ValueTypeI32}},
	{"kinesin_alloc", []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	{"kinesin_invoke", []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI64}},
}

// checkExports reports every way the module misses ABI v1.
func checkExports(m wazero.CompiledModule) error {
	var problems []string
	fns := m.ExportedFunctions()
	for _, want := range abiExports {
		f, ok := fns[want.name]
		switch {
		case !ok:
			problems = append(problems, "missing export "+want.name)
		case !sameTypes(f.ParamTypes(), want.params) || !sameTypes(f.ResultTypes(), want.results):
			problems = append(problems, fmt.Sprintf("export %s has signature %s, want %s",
				want.name, signature(f.ParamTypes(), f.ResultTypes()), signature(want.params, want.results)))
		}
	}
	if f, ok := fns["_initialize"]; ok && (len(f.ParamTypes()) != 0 || len(f.ResultTypes()) != 0) {
		problems = append(problems, "export _initialize must take and return nothing")
	}
	if _, ok := m.ExportedMemories()["memory"]; !ok {
		problems = append(problems, "missing exported memory \"memory\"")
	}
	if len(problems) > 0 {
		return fmt.Errorf("wasm: module does not implement kinesin ABI v1: %s", strings.Join(problems, "; "))
	}
	return nil
}

func sameTypes(a, b []api.ValueType) bool {
	return string(a) == string(b)
}

func signature(params, results []api.ValueType) string {
	name := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return name(params) + " -> " + name(results)
}

// dropUnusedCompiled closes compiled modules nothing references any more.
func (e *Engine) dropUnusedCompiled() {
	e.mu.Lock()
	var drop []*compiled
	for k, c := range e.compiled {
		select {
		case <-c.ready:
			if c.refs == 0 && c.err == nil {
				drop = append(drop, c)
				delete(e.compiled, k)
			}
		default:
		}
	}
	e.mu.Unlock()
	for _, c := range drop {
		_ = c.mod.Close(context.Background())
	}
}
