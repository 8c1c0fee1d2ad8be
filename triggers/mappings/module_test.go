package mappings_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/wasm"
)

// okModule is the function every test deploys: a real WebAssembly module
// implementing kinesin ABI v1 (docs/wasm-abi.md) in a few hundred bytes,
// so that the real wasm engine validates and runs it in microseconds where
// a Go guest takes seconds to compile in every server. It answers a JSON
// event (kind 1) with an empty payload, and a record batch (kind 2) with
// every record Ok and unchanged.
//
// Memory: the output is built at outAt; kinesin_alloc hands out inAt,
// growing memory to fit the input. outAt+10+6×10000 (the largest batch's
// result) stays below inAt.
var okModule = assemble()

const (
	outAt = 16
	inAt  = 2 << 16
)

// Opcodes used below.
const (
	opIf         = 0x04
	opEnd        = 0x0b
	opReturn     = 0x0f
	opDrop       = 0x1a
	opLocalGet   = 0x20
	opLocalSet   = 0x21
	opLocalTee   = 0x22
	opI32Load    = 0x28
	opI32Load8U  = 0x2d
	opI32Store   = 0x36
	opI32Store8  = 0x3a
	opMemSize    = 0x3f
	opMemGrow    = 0x40
	opI32Const   = 0x41
	opI64Const   = 0x42
	opI32Ne      = 0x47
	opI32GtS     = 0x4a
	opI32Add     = 0x6a
	opI32Sub     = 0x6b
	opI32Mul     = 0x6c
	opI32And     = 0x71
	opI32ShrU    = 0x76
	opI64Or      = 0x84
	opI64Shl     = 0x86
	opI64ExtI32U = 0xad
	blockVoid    = 0x40
	tI32, tI64   = 0x7f, 0x7e
)

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// code concatenates instructions; ints are opcodes or immediates already
// encoded, []byte are encoded immediates.
func code(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			b = append(b, byte(p))
		case []byte:
			b = append(b, p...)
		}
	}
	return b
}

func i32(v int32) []byte { return append([]byte{opI32Const}, sleb(int64(v))...) }
func i64(v int64) []byte { return append([]byte{opI64Const}, sleb(v)...) }
func get(l int) []byte   { return []byte{opLocalGet, byte(l)} }
func set(l int) []byte   { return []byte{opLocalSet, byte(l)} }

// load32 is i32.load with no alignment hint and offset 0.
var load32 = []byte{opI32Load, 0, 0}

func vec(items ...[]byte) []byte {
	b := uleb(uint64(len(items)))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func name(s string) []byte { return append(uleb(uint64(len(s))), s...) }

func section(id byte, body []byte) []byte {
	return append(append([]byte{id}, uleb(uint64(len(body)))...), body...)
}

// body is a function body: local declarations (one i32 each) and code.
func body(locals int, instrs []byte) []byte {
	decl := []byte{0}
	if locals > 0 {
		decl = append([]byte{1}, append(uleb(uint64(locals)), tI32)...)
	}
	b := append(decl, instrs...)
	b = append(b, opEnd)
	return append(uleb(uint64(len(b))), b...)
}

func assemble() []byte {
	// kinesin_abi_version() -> i32: 1.
	version := body(0, i32(1))
	// kinesin_alloc(size) -> i32: grow memory to hold inAt+size, answer inAt.
	alloc := body(1, code( // local 1: pages to grow
		get(0), i32(inAt+0xffff), opI32Add, i32(16), opI32ShrU, // pages needed
		opMemSize, 0, opI32Sub, opLocalTee, 1,
		i32(0), opI32GtS, opIf, blockVoid,
		get(1), opMemGrow, 0, opDrop,
		opEnd,
		i32(inAt),
	))
	// kinesin_invoke(kind, ptr, len) -> i64; local 3: p (cursor), local 4: n.
	skip := code(get(3), get(3), load32, opI32Add, i32(4), opI32Add, set(3)) // p += 4 + u32 at p
	invoke := body(2, code(
		// Not a batch: status 0, empty payload.
		get(0), i32(2), opI32Ne, opIf, blockVoid,
		i32(outAt), i32(0), opI32Store8, 0, 0,
		i64(outAt<<32|1), opReturn,
		opEnd,
		// p = ptr + 4 (version); skip functionName, shardId, streamArn.
		get(1), i32(4), opI32Add, set(3),
		skip, skip, skip,
		// attempt (u32) and deadline (i64).
		get(3), i32(12), opI32Add, set(3),
		// windowFlags: bit 0 means windowStart and windowEnd follow.
		get(3), opI32Load8U, 0, 0, i32(1), opI32And, opIf, blockVoid,
		get(3), i32(16), opI32Add, set(3),
		opEnd,
		get(3), i32(1), opI32Add, set(3),
		// Skip the state; n = count.
		skip,
		get(3), load32, set(4),
		// Output: status 0, count, count × {Ok, no data, no keys},
		// no failures, no state.
		i32(outAt), i32(0), opI32Store8, 0, 0,
		i32(outAt), get(4), opI32Store, 0, 1,
		i32(outAt+5), i32(0), get(4), i32(6), opI32Mul, i32(5), opI32Add, 0xfc, uleb(11), 0, // memory.fill
		i64(outAt<<32), get(4), i32(6), opI32Mul, i32(10), opI32Add, opI64ExtI32U, opI64Or,
	))
	funcType := func(params, results []byte) []byte {
		return append(append([]byte{0x60}, vec(bytesOf(params)...)...), vec(bytesOf(results)...)...)
	}
	export := func(n string, kind byte, idx int) []byte { return append(name(n), kind, byte(idx)) }
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, vec(
		funcType(nil, []byte{tI32}),
		funcType([]byte{tI32}, []byte{tI32}),
		funcType([]byte{tI32, tI32, tI32}, []byte{tI64}),
	))...)
	m = append(m, section(3, vec([]byte{0}, []byte{1}, []byte{2}))...)
	m = append(m, section(5, vec([]byte{0, 3}))...) // one memory, at least 3 pages
	m = append(m, section(7, vec(
		export("memory", 2, 0),
		export("kinesin_abi_version", 0, 0),
		export("kinesin_alloc", 0, 1),
		export("kinesin_invoke", 0, 2),
	))...)
	m = append(m, section(10, vec(version, alloc, invoke))...)
	return m
}

func bytesOf(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

// TestOKModule runs okModule on the real wasm engine with what the runner
// may send it: batches with and without a tumbling window and its state,
// up to the largest BatchSize, and a JSON event.
func TestOKModule(t *testing.T) {
	e, err := wasm.New(wasm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	fn := &engine.Function{Name: "ok", Version: "$LATEST", Runtime: "wasm", Code: okModule, Timeout: 10 * time.Second}
	if err := e.Validate(ctx, fn); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, c := range []struct {
		name string
		n    int
		ctx  engine.BatchContext
	}{
		{"one", 1, engine.BatchContext{}},
		{"window", 3, engine.BatchContext{Window: &engine.Window{Start: now, End: now.Add(time.Second)}, State: []byte(`{"n":1}`),
			FinalInvokeForWindow: true}},
		{"largest", 10000, engine.BatchContext{}},
	} {
		b := engine.Batch{Context: c.ctx}
		b.Context.FunctionName, b.Context.ShardID, b.Context.Attempt = "ok", "shardId-000000000000", 1
		b.Context.StreamARN = streamARN("src")
		for i := range c.n {
			b.Records = append(b.Records, engine.Record{SequenceNumber: strconv.Itoa(i), PartitionKey: "k", ArrivalTime: now,
				Data: []byte(strings.Repeat("x", i%100))})
		}
		res, err := e.InvokeBatch(ctx, fn, b)
		if err != nil || res.FunctionError != "" || len(res.Records) != c.n || len(res.Failed) != 0 || res.State != nil {
			t.Fatalf("%s: %v %s %s, %d results", c.name, err, res.FunctionError, res.ErrorMessage, len(res.Records))
		}
		for i, r := range res.Records {
			if r.Status != engine.Ok || r.Data != nil || r.PartitionKeys != nil {
				t.Fatalf("%s: record %d: %+v", c.name, i, r)
			}
		}
	}
	res, err := e.Invoke(ctx, fn, engine.Invocation{Payload: []byte(`{"k":"v"}`)})
	if err != nil || res.FunctionError != "" || len(res.Payload) != 0 {
		t.Fatalf("invoke: %v %+v", err, res)
	}
}
