package wasm

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/wasm/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// instance is one module instance; it serves one call at a time.
type instance struct {
	mod    api.Module
	mem    api.Memory
	alloc  api.Function
	invoke api.Function
	stack  [3]uint64
	logs   logBuffer
}

// moduleConfig is what every instance of fn gets: WASI with real clocks
// and randomness, fn's environment, no filesystem, no network, no start
// function (reactors are initialised with _initialize instead).
func moduleConfig(fn *engine.Function) wazero.ModuleConfig {
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions().
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().WithRandSource(rand.Reader).
		WithArgs(fn.Name)
	mb := fn.MemoryMB
	if mb <= 0 {
		mb = defaultMemoryMB
	}
	env := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     fn.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(mb),
		"AWS_REGION":                      fn.Region,
		"AWS_DEFAULT_REGION":              fn.Region,
	}
	for k, v := range fn.Environment {
		env[k] = v
	}
	for k, v := range env {
		cfg = cfg.WithEnv(k, v)
	}
	return cfg
}

// newInstance instantiates c, runs _initialize and checks the ABI version.
func newInstance(ctx context.Context, c *compiled, cfg wazero.ModuleConfig) (*instance, error) {
	inst := &instance{}
	cfg = cfg.WithStdout(&inst.logs).WithStderr(&inst.logs)
	mod, err := c.rt.InstantiateModule(ctx, c.mod, cfg)
	if err != nil {
		return nil, fmt.Errorf("wasm: instantiate: %w", err)
	}
	fail := func(err error) (*instance, error) {
		_ = mod.Close(context.Background())
		if l := inst.logs.Bytes(); len(l) > 0 {
			err = fmt.Errorf("%w; output: %s", err, l)
		}
		return nil, err
	}
	if init := mod.ExportedFunction("_initialize"); init != nil {
		if _, err := init.Call(ctx); err != nil {
			return fail(fmt.Errorf("wasm: _initialize: %w", err))
		}
	}
	v, err := mod.ExportedFunction("kinesin_abi_version").Call(ctx)
	if err != nil {
		return fail(fmt.Errorf("wasm: kinesin_abi_version: %w", err))
	}
	if int32(v[0]) != abi.Version {
		return fail(fmt.Errorf("wasm: module speaks kinesin ABI version %d, this runtime speaks %d", int32(v[0]), abi.Version))
	}
	inst.mod, inst.mem = mod, mod.Memory()
	inst.alloc = mod.ExportedFunction("kinesin_alloc")
	inst.invoke = mod.ExportedFunction("kinesin_invoke")
	return inst, nil
}

// call writes an n-byte input with fill and runs kinesin_invoke; out is a
// view of guest memory, valid until the next call into the instance.
func (i *instance) call(ctx context.Context, kind uint32, n int, fill func([]byte)) (out []byte, err error) {
	i.stack[0] = uint64(n)
	if err := i.alloc.CallWithStack(ctx, i.stack[:]); err != nil {
		return nil, err
	}
	ptr := uint32(i.stack[0])
	in, ok := i.mem.Read(ptr, uint32(n))
	if !ok {
		return nil, fmt.Errorf("kinesin_alloc returned %d bytes at %#x, outside memory", n, ptr)
	}
	fill(in)
	i.stack[0], i.stack[1], i.stack[2] = uint64(kind), uint64(ptr), uint64(n)
	if err := i.invoke.CallWithStack(ctx, i.stack[:]); err != nil {
		return nil, err
	}
	outPtr, outLen := uint32(i.stack[0]>>32), uint32(i.stack[0])
	// Memory may have grown during the call: read a fresh view.
	out, ok = i.mem.Read(outPtr, outLen)
	if !ok || outLen == 0 {
		return nil, fmt.Errorf("kinesin_invoke returned %d bytes at %#x, outside memory", outLen, outPtr)
	}
	return out, nil
}

func (i *instance) close() { _ = i.mod.Close(context.Background()) }

// logBuffer collects what an instance writes, up to maxLogBytes.
type logBuffer struct{ b []byte }

func (l *logBuffer) Write(p []byte) (int, error) {
	if room := maxLogBytes - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func (l *logBuffer) Bytes() []byte { return l.b }
func (l *logBuffer) Reset()        { l.b = l.b[:0] }
