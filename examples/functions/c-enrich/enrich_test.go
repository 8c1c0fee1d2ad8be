package enrich_test

// Builds enrich.c with clang (Makefile) and checks it against the
// WebAssembly function ABI v1 (docs/wasm-abi.md) by loading it with wazero
// directly: the envelope and result codecs below are written from the
// document, independently of the host's.
//
// Without a wasm32-wasi C toolchain the tests skip, unless CI=true.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// ---------------------------------------------------------------------------
// Building the module.

// The module is built in two variants: "simd", the default (WebAssembly
// 2.0 features: SIMD128 string scanning, bulk memory), and "mvp", built
// with FEATURES= (byte loops only). Both must behave the same.
var variants = []string{"simd", "mvp"}

var build struct {
	once sync.Once
	wasm map[string][]byte
	skip string // the toolchain is missing
	err  error  // the toolchain works but enrich.c does not build
}

func clangPath() string {
	if c := os.Getenv("CLANG"); c != "" {
		return c
	}
	for _, name := range []string{"clang-14", "clang"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func buildModule() {
	clang := clangPath()
	if clang == "" {
		build.skip = "clang not found (Debian: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 make)"
		return
	}
	if _, err := exec.LookPath("make"); err != nil {
		build.skip = "make not found"
		return
	}
	dir, err := os.MkdirTemp("", "c-enrich-")
	if err != nil {
		build.err = err
		return
	}
	defer os.RemoveAll(dir)
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command("make", append([]string{"CLANG=" + clang}, args...)...)
		return cmd.CombinedOutput()
	}
	if out, err := run("check-toolchain", "PROBE_OUT="+filepath.Join(dir, "probe.wasm")); err != nil {
		build.skip = fmt.Sprintf("%s cannot build wasm32-wasi reactors (Debian: clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32): %v\n%s", clang, err, out)
		return
	}
	build.wasm = map[string][]byte{}
	for _, v := range variants {
		out := filepath.Join(dir, v+".wasm")
		args := []string{"OUT=" + out}
		if v == "mvp" {
			args = append(args, "FEATURES=")
		}
		if msg, err := run(args...); err != nil {
			build.err = fmt.Errorf("make %s: %v\n%s", strings.Join(args, " "), err, msg)
			return
		}
		if build.wasm[v], build.err = os.ReadFile(out); build.err != nil {
			return
		}
	}
}

// module returns the default variant of the module.
func module(tb testing.TB) []byte { return moduleVariant(tb, variants[0]) }

func moduleVariant(tb testing.TB, variant string) []byte {
	tb.Helper()
	build.once.Do(buildModule)
	if build.skip != "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal(build.skip)
		}
		tb.Skip(build.skip)
	}
	if build.err != nil {
		tb.Fatal(build.err)
	}
	return build.wasm[variant]
}

// ---------------------------------------------------------------------------
// Running it with wazero.

type guest struct {
	mod           api.Module
	alloc, invoke api.Function
	version       api.Function
	stack         []uint64
	ctx           context.Context
	rt            wazero.Runtime
}

func newGuest(tb testing.TB) *guest {
	return newGuestWith(tb, variants[0], wazero.NewRuntimeConfig())
}

func newGuestWith(tb testing.TB, variant string, cfg wazero.RuntimeConfig) *guest {
	tb.Helper()
	wasm := moduleVariant(tb, variant)
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	tb.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		tb.Fatal(err)
	}
	want := map[string]bool{"_initialize": true, "kinesin_abi_version": true, "kinesin_alloc": true, "kinesin_invoke": true}
	for name := range compiled.ExportedFunctions() {
		delete(want, name)
	}
	if len(want) > 0 {
		tb.Fatalf("missing exports: %v", want)
	}
	if _, ok := compiled.ExportedMemories()["memory"]; !ok {
		tb.Fatal("memory is not exported as \"memory\"")
	}
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().
		WithName("").WithStartFunctions("_initialize").WithStderr(os.Stderr))
	if err != nil {
		tb.Fatal(err)
	}
	return &guest{
		mod: mod, ctx: ctx, rt: rt,
		alloc:   mod.ExportedFunction("kinesin_alloc"),
		invoke:  mod.ExportedFunction("kinesin_invoke"),
		version: mod.ExportedFunction("kinesin_abi_version"),
		stack:   make([]uint64, 3),
	}
}

// call runs one invocation; the returned payload aliases guest memory and
// is valid until the next call.
func (g *guest) call(kind uint32, input []byte) (status byte, payload []byte, err error) {
	g.stack[0] = uint64(len(input))
	if err := g.alloc.CallWithStack(g.ctx, g.stack); err != nil {
		return 0, nil, err
	}
	ptr := uint32(g.stack[0])
	if !g.mod.Memory().Write(ptr, input) {
		return 0, nil, fmt.Errorf("kinesin_alloc(%d) = %#x: out of memory bounds", len(input), ptr)
	}
	g.stack[0], g.stack[1], g.stack[2] = uint64(kind), uint64(ptr), uint64(len(input))
	if err := g.invoke.CallWithStack(g.ctx, g.stack); err != nil {
		return 0, nil, err
	}
	outPtr, outLen := uint32(g.stack[0]>>32), uint32(g.stack[0])
	out, ok := g.mod.Memory().Read(outPtr, outLen)
	if !ok || len(out) == 0 {
		return 0, nil, fmt.Errorf("bad output (%#x, %d)", outPtr, outLen)
	}
	return out[0], out[1:], nil
}

// ---------------------------------------------------------------------------
// The batch envelope and result, written from docs/wasm-abi.md.

type record struct {
	seq, key, id string
	arrival      int64
	data         []byte
}

type envelope struct {
	function, shard, stream string
	attempt                 uint32
	deadline                int64
	window                  *[2]int64
	state                   []byte
	records                 []record
}

func appendU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func appendI64(b []byte, v int64) []byte  { return binary.LittleEndian.AppendUint64(b, uint64(v)) }
func appendBytes(b, v []byte) []byte      { return append(appendU32(b, uint32(len(v))), v...) }
func appendStr(b []byte, v string) []byte { return append(appendU32(b, uint32(len(v))), v...) }

func (e *envelope) encode() []byte {
	b := appendU32(nil, 1)
	b = appendStr(b, e.function)
	b = appendStr(b, e.shard)
	b = appendStr(b, e.stream)
	b = appendU32(b, e.attempt)
	b = appendI64(b, e.deadline)
	if e.window != nil {
		b = append(b, 1)
		b = appendI64(b, e.window[0])
		b = appendI64(b, e.window[1])
	} else {
		b = append(b, 0)
	}
	b = appendBytes(b, e.state)
	b = appendU32(b, uint32(len(e.records)))
	for _, r := range e.records {
		b = appendStr(b, r.seq)
		b = appendStr(b, r.key)
		b = appendI64(b, r.arrival)
		b = appendStr(b, r.id)
		b = appendBytes(b, r.data)
	}
	return b
}

const (
	statusOk               = 0
	statusDropped          = 1
	statusProcessingFailed = 2
)

type recordResult struct {
	status  byte
	hasData bool
	data    []byte
	keys    map[string]string
}

type batchResult struct {
	records  []recordResult
	failed   []string
	hasState bool
	state    []byte
}

var errShort = errors.New("result truncated")

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = errShort
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}
func (r *reader) u8() byte {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}
func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}
func (r *reader) bytes() []byte { return bytes.Clone(r.take(int(r.u32()))) }
func (r *reader) flag() bool {
	v := r.u8()
	if v > 1 && r.err == nil {
		r.err = fmt.Errorf("flag byte %d", v)
	}
	return v == 1
}

// decodeResult parses a batch result (after the status byte), strictly:
// the count must match and nothing may follow.
func decodeResult(b []byte, want int) (*batchResult, error) {
	r := &reader{b: b}
	n := int(r.u32())
	if r.err == nil && n != want {
		return nil, fmt.Errorf("result count %d, want %d", n, want)
	}
	res := &batchResult{}
	for i := 0; i < n && r.err == nil; i++ {
		rr := recordResult{status: r.u8()}
		if rr.status > statusProcessingFailed && r.err == nil {
			r.err = fmt.Errorf("record %d: status %d", i, rr.status)
		}
		if rr.hasData = r.flag(); rr.hasData {
			rr.data = r.bytes()
		}
		for k := r.u32(); k > 0 && r.err == nil; k-- {
			if rr.keys == nil {
				rr.keys = map[string]string{}
			}
			key := string(r.bytes())
			rr.keys[key] = string(r.bytes())
		}
		res.records = append(res.records, rr)
	}
	for k := r.u32(); k > 0 && r.err == nil; k-- {
		res.failed = append(res.failed, string(r.bytes()))
	}
	if res.hasState = r.flag(); res.hasState {
		res.state = r.bytes()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d bytes after the result", len(r.b))
	}
	return res, r.err
}

func (g *guest) batch(tb testing.TB, e *envelope) *batchResult {
	tb.Helper()
	status, payload, err := g.call(2, e.encode())
	if err != nil {
		tb.Fatal(err)
	}
	if status != 0 {
		tb.Fatalf("batch failed: status %d %s", status, payload)
	}
	res, err := decodeResult(payload, len(e.records))
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// ---------------------------------------------------------------------------
// The reference: what the function must do, in Go.

// isObject is the C scanner's specification: one well-formed JSON object
// (RFC 8259, UTF-8), optionally surrounded by whitespace.
func isObject(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(data) && utf8.Valid(data)
}

// wantEnriched is the object the function must answer for data.
func wantEnriched(tb testing.TB, data []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		tb.Fatalf("reference decode of %q: %v", data, err)
	}
	m["enriched"] = true
	m["len"] = json.Number(fmt.Sprint(len(data)))
	return m
}

func decodeObject(tb testing.TB, data []byte) map[string]any {
	tb.Helper()
	if !json.Valid(data) || !utf8.Valid(data) {
		tb.Fatalf("output is not valid JSON: %q", data)
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		tb.Fatalf("output %q: %v", data, err)
	}
	return m
}

// topLevelKeys lists the keys of a valid object, in order, duplicates
// included (which map decoding would hide).
func topLevelKeys(tb testing.TB, data []byte) []string {
	tb.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // huge exponents are valid JSON but not float64s
	var keys []string
	depth := 0
	expectKey := false
	for {
		tok, err := d.Token()
		if err != nil {
			return keys
		}
		if delim, ok := tok.(json.Delim); ok {
			if delim == '{' || delim == '[' {
				depth++
			} else {
				depth--
			}
			if depth == 0 {
				return keys
			}
			// A container closing back to depth 1 was a member's value.
			expectKey = depth == 1
			if depth == 1 && delim == '{' {
				expectKey = true
			}
			continue
		}
		if depth == 1 {
			if expectKey {
				keys = append(keys, tok.(string))
			}
			expectKey = !expectKey
		}
	}
}

// checkEnriched checks the function's answer out for the object in: the
// reference's content, and the input's members in their order (duplicates
// kept) without "enriched" and "len", then those two.
func checkEnriched(tb testing.TB, in, out []byte) {
	tb.Helper()
	if got, want := decodeObject(tb, out), wantEnriched(tb, in); !reflect.DeepEqual(got, want) {
		tb.Errorf("%q:\n got %s\nwant %v", trunc(in), out, want)
		return
	}
	var want []string
	for _, k := range topLevelKeys(tb, in) {
		if k != "enriched" && k != "len" {
			want = append(want, k)
		}
	}
	want = append(want, "enriched", "len")
	if got := topLevelKeys(tb, out); !reflect.DeepEqual(got, want) {
		tb.Errorf("%q → %s: keys %q, want %q", trunc(in), out, got, want)
	}
}

// checkBatch runs records through kind 2 and compares each answer with the
// reference.
func checkBatch(t *testing.T, g *guest, datas [][]byte) {
	t.Helper()
	e := &envelope{function: "c-enrich", shard: "shardId-000000000000",
		stream: "arn:aws:kinesis:us-east-1:000000000000:stream/s", attempt: 1, deadline: 1764110000000}
	for i, d := range datas {
		e.records = append(e.records, record{seq: fmt.Sprintf("4900000000000000000%04d", i), key: "k", arrival: 1764100000000, data: d})
	}
	res := g.batch(t, e)
	if len(res.failed) != 0 || res.hasState {
		t.Fatalf("failed %v, hasState %v; want none", res.failed, res.hasState)
	}
	for i, d := range datas {
		rr := res.records[i]
		if rr.keys != nil {
			t.Errorf("record %d: partition keys %v", i, rr.keys)
		}
		if !isObject(d) {
			if rr.status != statusProcessingFailed || rr.hasData {
				t.Errorf("record %d %q: status %d hasData %v, want ProcessingFailed without data", i, trunc(d), rr.status, rr.hasData)
			}
			continue
		}
		if rr.status != statusOk || !rr.hasData {
			t.Errorf("record %d %q: status %d hasData %v, want Ok with data", i, trunc(d), rr.status, rr.hasData)
			continue
		}
		checkEnriched(t, d, rr.data)
	}
}

func trunc(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

// ---------------------------------------------------------------------------
// Tests.

func forEachVariant(t *testing.T, test func(*testing.T, *guest)) {
	for _, v := range variants {
		t.Run(v, func(t *testing.T) {
			test(t, newGuestWith(t, v, wazero.NewRuntimeConfig()))
		})
	}
}

func TestABIVersion(t *testing.T) { forEachVariant(t, testABIVersion) }

func testABIVersion(t *testing.T, g *guest) {
	res, err := g.version.Call(g.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != 1 {
		t.Fatalf("kinesin_abi_version() = %d, want 1", res[0])
	}
}

var mixed = []string{
	`{"a":1}`,
	`{}`,
	"  \t\r\n{ }\n",
	`{"s":"he said \"}\" and \\","n":{"x":[1,{"y":"}]"}],"z":null},"t":true,"f":false}`,
	`{"u":"\u00e9\ud83d\ude00 ü 😀 \/ \b\f\n\r\t","e":-0.5e+10,"z":0,"big":12345678901234567890}`,
	`{"enriched":false,"len":"x","b":2}`,
	`{"\u0065nriched":1,"le\u006e":[1],"lens":3,"enriche":4}`,
	`{"only":1,"enriched":{"a":"b"}}`,
	`{"len":1}`,
	`{"a":[],"b":{},"c":[[[]]],"d":[{}]}`,
	`[1,2,3]`,
	`"a string"`,
	`42`,
	`null`,
	``,
	`   `,
	`not json`,
	`{"a":1,}`,
	`{"a":1`,
	`{"a" 1}`,
	`{a:1}`,
	`{'a':1}`,
	`{"a":01}`,
	`{"a":1.}`,
	`{"a":.5}`,
	`{"a":1e}`,
	`{"a":-}`,
	`{"a":+1}`,
	`{"a":tru}`,
	`{"a":True}`,
	`{"a":"b\x"}`,
	`{"a":"\u12"}`,
	`{"a":"\u12g4"}`,
	"{\"a\":\"tab\there\"}",
	"{\"a\":\"\xff\"}",
	"{\"a\":\"\xc0\xaf\"}",         // overlong '/'
	"{\"a\":\"\xed\xa0\x80\"}",     // UTF-16 surrogate in UTF-8
	"{\"a\":\"\xf4\x90\x80\x80\"}", // above U+10FFFF
	"{\"a\":\"\xe2\x82\"}",         // truncated sequence
	"{\"a\":\"caf\xc3\xa9\"}",      // fine
	"\xef\xbb\xbf{}",               // BOM
	`{} {}`,
	`{}x`,
	`{"a":1}}`,
	`{"a":[1,2}`,
	`{"a":{"b":1]}`,
	`{"a":[1,]}`,
	`{"a":[,1]}`,
	`{,}`,
	`{"a":1,"a":2}`,
	"{\"a\":\"nul\x00\"}",
}

func TestBatchMixed(t *testing.T) { forEachVariant(t, testBatchMixed) }

func testBatchMixed(t *testing.T, g *guest) {
	var datas [][]byte
	for _, s := range mixed {
		datas = append(datas, []byte(s))
	}
	checkBatch(t, g, datas)
}

func TestBatchExactOutput(t *testing.T) { forEachVariant(t, testBatchExactOutput) }

func testBatchExactOutput(t *testing.T, g *guest) {
	cases := map[string]string{
		`{"a":1}`:                        `{"a":1,"enriched":true,"len":7}`,
		` {} `:                           `{"enriched":true,"len":4}`,
		`{ "a" : [ 1 ] , "b":{} }`:       `{ "a" : [ 1 ] , "b":{} ,"enriched":true,"len":24}`,
		`{"len":0,"a":1,"enriched":"x"}`: `{"a":1,"enriched":true,"len":30}`,
		`{"len":0}`:                      `{"enriched":true,"len":9}`,
	}
	e := &envelope{window: &[2]int64{1764100000000, 1764100060000}, state: []byte("window state"), attempt: 3}
	var ins []string
	for in := range cases {
		ins = append(ins, in)
		e.records = append(e.records, record{seq: "1", key: "pk", id: "firehose-id", data: []byte(in)})
	}
	res := g.batch(t, e)
	for i, in := range ins {
		if got := string(res.records[i].data); got != cases[in] {
			t.Errorf("%s → %s, want %s", in, got, cases[in])
		}
	}
}

func TestBatchEmptyAndLarge(t *testing.T) { forEachVariant(t, testBatchEmptyAndLarge) }

func testBatchEmptyAndLarge(t *testing.T, g *guest) {
	if res := g.batch(t, &envelope{}); len(res.records) != 0 {
		t.Fatalf("empty batch: %d results", len(res.records))
	}
	// Records larger than the guest's first buffers, and many of them.
	big := []byte(`{"blob":"` + strings.Repeat("x", 3<<20) + `"}`)
	var datas [][]byte
	for i := 0; i < 2000; i++ {
		datas = append(datas, []byte(fmt.Sprintf(`{"i":%d}`, i)))
	}
	datas = append(datas, big, []byte(`[`+strings.Repeat("1,", 100000)+`1]`))
	checkBatch(t, g, datas)
	// And small again on the same instance.
	checkBatch(t, g, [][]byte{[]byte(`{"a":"b"}`), []byte(`x`)})
}

func TestNestingLimit(t *testing.T) { forEachVariant(t, testNestingLimit) }

func testNestingLimit(t *testing.T, g *guest) {
	nest := func(levels int) []byte { // levels objects in all
		return []byte(strings.Repeat(`{"a":`, levels-1) + `{}` + strings.Repeat(`}`, levels-1))
	}
	mixedNest := func(levels int) []byte { // an object, then levels-1 arrays
		return []byte(`{"a":` + strings.Repeat(`[`, levels-1) + strings.Repeat(`]`, levels-1) + `}`)
	}
	// encoding/json accepts 10000 levels and refuses 10001: so does the guest.
	datas := [][]byte{nest(10000), nest(10001), mixedNest(10000), mixedNest(10001), nest(100000)}
	for _, d := range datas[:2] {
		t.Logf("%d levels: json.Valid %v", bytes.Count(d, []byte("{")), json.Valid(d))
	}
	checkBatch(t, g, datas)
}

func TestBatchMalformedEnvelope(t *testing.T) { forEachVariant(t, testBatchMalformedEnvelope) }

func testBatchMalformedEnvelope(t *testing.T, g *guest) {
	full := (&envelope{records: []record{{seq: "1", data: []byte(`{}`)}}}).encode()
	for n := 0; n < len(full); n++ {
		status, payload, err := g.call(2, full[:n])
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, fmt.Sprintf("envelope truncated to %d bytes", n), status, payload, "InvalidEnvelope")
	}
	v2 := bytes.Clone(full)
	v2[0] = 2
	status, payload, err := g.call(2, v2)
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, "envelope version 2", status, payload, "InvalidEnvelope")
	// Bytes after the last record are ignored (room for later fields).
	status, payload, err = g.call(2, append(bytes.Clone(full), 1, 2, 3))
	if err != nil || status != 0 {
		t.Fatalf("trailing bytes: %v status %d %s", err, status, payload)
	}
}

func checkError(t *testing.T, what string, status byte, payload []byte, wantType string) {
	t.Helper()
	if status != 1 {
		t.Errorf("%s: status %d, want 1", what, status)
		return
	}
	var e struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal(payload, &e); err != nil || e.ErrorMessage == "" {
		t.Errorf("%s: error payload %q: %v", what, payload, err)
	}
	if e.ErrorType != wantType {
		t.Errorf("%s: errorType %q, want %q", what, e.ErrorType, wantType)
	}
}

func TestEventKind1(t *testing.T) { forEachVariant(t, testEventKind1) }

func testEventKind1(t *testing.T, g *guest) {
	status, payload, err := g.call(1, []byte(`{"hello":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	if status != 0 || string(payload) != `{"hello":"world","enriched":true,"len":17}` {
		t.Fatalf("kind 1: status %d %s", status, payload)
	}
	// A Kinesis event as the host builds it.
	ev := []byte(`{"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"k","sequenceNumber":"1","data":"eyJhIjoxfQ==","approximateArrivalTimestamp":1764100000.5},"eventSource":"aws:kinesis","eventID":"shardId-000000000000:1"}]}`)
	status, payload, err = g.call(1, ev)
	if err != nil || status != 0 {
		t.Fatalf("kinesis event: %v status %d %s", err, status, payload)
	}
	checkEnriched(t, ev, payload)
	for _, in := range []string{`[1]`, `"s"`, ``, `{"a":}`} {
		status, payload, err := g.call(1, []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, fmt.Sprintf("kind 1 %q", in), status, payload, "InvalidEvent")
	}
	for _, kind := range []uint32{0, 3, 0xffffffff} {
		status, payload, err := g.call(kind, []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, fmt.Sprintf("kind %d", kind), status, payload, "UnsupportedKind")
	}
}

// TestInputOutsideAllocBuffer: a host that writes the input elsewhere than
// kinesin_alloc's buffer, here flush against the end of memory, where the
// 16-byte loads of the string scanner would run past it.
func TestInputOutsideAllocBuffer(t *testing.T) { forEachVariant(t, testInputOutsideAllocBuffer) }

func testInputOutsideAllocBuffer(t *testing.T, g *guest) {
	for _, in := range []string{`{"s":"abc"}`, `{"s":"abc`, `{"s":"abcdefghijklmnopqrstuvwxyz0123456789"}`} {
		mem := g.mod.Memory()
		ptr := mem.Size() - uint32(len(in))
		if !mem.Write(ptr, []byte(in)) {
			t.Fatal("write")
		}
		g.stack[0], g.stack[1], g.stack[2] = 1, uint64(ptr), uint64(len(in))
		if err := g.invoke.CallWithStack(g.ctx, g.stack); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, _ := mem.Read(uint32(g.stack[0]>>32), uint32(g.stack[0]))
		if isObject([]byte(in)) {
			if len(out) == 0 || out[0] != 0 {
				t.Fatalf("%s: %q", in, out)
			}
			checkEnriched(t, []byte(in), out[1:])
		} else {
			checkError(t, in, out[0], out[1:], "InvalidEvent")
		}
	}
}

// TestDifferential compares the C scanner's verdict with encoding/json's on
// generated JSON and on random mutations of it.
func TestDifferential(t *testing.T) { forEachVariant(t, testDifferential) }

func testDifferential(t *testing.T, g *guest) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	var datas [][]byte
	valid := 0
	for i := 0; i < n; i++ {
		d := genObject(rng, 0)
		if rng.IntN(2) == 0 {
			d = mutate(rng, d)
		}
		if isObject(d) {
			valid++
		}
		datas = append(datas, d)
		if len(datas) == 100 {
			checkBatch(t, g, datas)
			datas = datas[:0]
			if t.Failed() {
				return
			}
		}
	}
	checkBatch(t, g, datas)
	t.Logf("%d documents, %d of them objects", n, valid)
}

var pieces = []string{
	`"`, `\`, `\"`, `\\`, `\u`, `\u00e9`, `\ud83d`, `{`, `}`, `[`, `]`, `:`, `,`, ` `, "\n", "\t",
	`0`, `-`, `.`, `e`, `E`, `+`, `1`, `true`, `null`, `fals`, "\x00", "\x1f", "\x7f",
	"\xc3\xa9", "\xc3", "\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\xbf\xbf", "\xf5", "\xff",
}

func genValue(rng *rand.Rand, depth int) []byte {
	k := rng.IntN(9)
	if depth > 4 && k >= 7 {
		k = rng.IntN(7)
	}
	switch k {
	case 0:
		return []byte(fmt.Sprint(rng.IntN(2000) - 1000))
	case 1:
		return []byte(fmt.Sprintf("%g", (rng.Float64()-0.5)*1e6))
	case 2:
		return []byte(`-0.0e-7`)
	case 3, 4:
		return genString(rng)
	case 5:
		return []byte([]string{"true", "false", "null"}[rng.IntN(3)])
	case 6:
		return []byte(`0`)
	case 7:
		var b []byte
		b = append(b, '[')
		for i, n := 0, rng.IntN(4); i < n; i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, ws(rng)...)
			b = append(b, genValue(rng, depth+1)...)
		}
		return append(b, ']')
	default:
		return genObject(rng, depth+1)
	}
}

func genString(rng *rand.Rand) []byte {
	b := []byte{'"'}
	for i, n := 0, rng.IntN(8); i < n; i++ {
		switch rng.IntN(6) {
		case 0:
			b = append(b, []string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u0041`, `\uD83D\uDE00`, `\u00e9`}[rng.IntN(11)]...)
		case 1:
			b = append(b, []string{"é", "€", "😀", "}", "{", "]", ",", ":"}[rng.IntN(8)]...)
		default:
			b = append(b, byte('a'+rng.IntN(26)))
		}
	}
	return append(b, '"')
}

func ws(rng *rand.Rand) string {
	return []string{"", "", "", " ", "\n", "\t ", "\r\n"}[rng.IntN(7)]
}

func genObject(rng *rand.Rand, depth int) []byte {
	b := []byte(ws(rng) + "{")
	for i, n := 0, rng.IntN(5); i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, ws(rng)...)
		if rng.IntN(8) == 0 {
			b = append(b, []string{`"enriched"`, `"len"`, `"\u006cen"`}[rng.IntN(3)]...)
		} else {
			b = append(b, genString(rng)...)
		}
		b = append(b, ws(rng)...)
		b = append(b, ':')
		b = append(b, ws(rng)...)
		b = append(b, genValue(rng, depth)...)
	}
	return append(append(b, ws(rng)...), '}')
}

func mutate(rng *rand.Rand, d []byte) []byte {
	d = bytes.Clone(d)
	for m, n := 0, 1+rng.IntN(2); m < n; m++ {
		i := rng.IntN(len(d) + 1)
		switch rng.IntN(4) {
		case 0: // delete a byte
			if i < len(d) {
				d = append(d[:i], d[i+1:]...)
			}
		case 1: // insert a piece
			d = append(d[:i], append([]byte(pieces[rng.IntN(len(pieces))]), d[i:]...)...)
		case 2: // replace a byte
			if i < len(d) {
				d[i] = pieces[rng.IntN(len(pieces))][0]
			}
		default: // truncate
			d = d[:i]
		}
	}
	return d
}

// FuzzScanner: go test -fuzz FuzzScanner ./examples/functions/c-enrich
func FuzzScanner(f *testing.F) {
	for _, s := range mixed {
		f.Add([]byte(s))
	}
	g := newGuest(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkBatch(t, g, [][]byte{data})
	})
}

// ---------------------------------------------------------------------------
// Benchmarks: the same enrichment, in the C guest through kind 2 and in
// native Go with encoding/json, on batches of 100 records of 200 bytes.

const benchBatch = 100

func benchRecords() [][]byte {
	var out [][]byte
	for i := 0; i < benchBatch; i++ {
		d := fmt.Sprintf(`{"id":%d,"user":"user-%05d","event":"page_view","path":"/products/%d/reviews?page=%d","ts":"2026-11-25T22:33:16.%03dZ","tags":["a","b\"c"],"geo":{"lat":52.52,"lon":13.405},"ok":true,"pad":"`,
			i, i*7, i*13, i%10, i%1000)
		d += strings.Repeat("x", 200-len(d)-2) + `"}`
		if len(d) != 200 || !isObject([]byte(d)) {
			panic(fmt.Sprintf("bad benchmark record (%d bytes): %s", len(d), d))
		}
		out = append(out, []byte(d))
	}
	return out
}

func BenchmarkCEnrich(b *testing.B) { benchCEnrich(b, newGuest(b)) }

func benchCEnrich(b *testing.B, g *guest) {
	e := &envelope{function: "c-enrich", shard: "shardId-000000000000", stream: "arn:aws:kinesis:us-east-1:000000000000:stream/s", attempt: 1}
	for i, d := range benchRecords() {
		e.records = append(e.records, record{seq: fmt.Sprintf("4900000000000000000%04d", i), key: "k", data: d})
	}
	env := e.encode()
	b.SetBytes(int64(benchBatch * 200))
	b.ReportAllocs()
	for b.Loop() {
		// Host side included: copy the envelope in, decode the result out.
		status, payload, err := g.call(2, env)
		if err != nil || status != 0 {
			b.Fatal(err, status)
		}
		res, err := decodeResult(payload, benchBatch)
		if err != nil || res.records[benchBatch-1].status != statusOk {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
}

func BenchmarkNativeGoEnrich(b *testing.B) {
	recs := benchRecords()
	b.SetBytes(int64(benchBatch * 200))
	b.ReportAllocs()
	out := make([][]byte, benchBatch)
	for b.Loop() {
		for i, d := range recs {
			var m map[string]any
			if err := json.Unmarshal(d, &m); err != nil {
				out[i] = nil // ProcessingFailed
				continue
			}
			m["enriched"] = true
			m["len"] = len(d)
			o, err := json.Marshal(m)
			if err != nil {
				b.Fatal(err)
			}
			out[i] = o
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
}
