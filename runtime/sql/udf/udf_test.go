package udf

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// fakeEngine answers every invocation with answer(payload).
type fakeEngine struct {
	mu      sync.Mutex
	events  []string
	answer  func(payload []byte) engine.Result
	invokes int
}

func (f *fakeEngine) Invoke(ctx context.Context, _ *engine.Function, inv engine.Invocation) (engine.Result, error) {
	if err := ctx.Err(); err != nil {
		return engine.Result{}, err
	}
	f.mu.Lock()
	f.events = append(f.events, string(inv.Payload))
	f.invokes++
	f.mu.Unlock()
	if inv.Deadline.IsZero() {
		return engine.Result{}, errors.New("no deadline")
	}
	return f.answer(inv.Payload), nil
}
func (f *fakeEngine) Validate(context.Context, *engine.Function) error { return nil }
func (f *fakeEngine) InvokeBatch(context.Context, *engine.Function, engine.Batch) (engine.BatchResult, error) {
	return engine.BatchResult{}, errors.New("not used")
}
func (f *fakeEngine) Evict(string)                {}
func (f *fakeEngine) Close(context.Context) error { return nil }

// fakeInvoker resolves every name to eng, or fails with err.
type fakeInvoker struct {
	mu       sync.Mutex
	eng      *fakeEngine
	err      error
	resolves int
	names    []string
}

func (f *fakeInvoker) Resolve(name, qualifier string) (*engine.Function, engine.Engine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resolves++
	f.names = append(f.names, name+"|"+qualifier)
	if f.err != nil {
		return nil, nil, f.err
	}
	return &engine.Function{Name: name, Version: "$LATEST", Timeout: time.Second}, f.eng, nil
}

func answering(payload string, fnErr string) *fakeInvoker {
	return &fakeInvoker{eng: &fakeEngine{answer: func([]byte) engine.Result {
		return engine.Result{Payload: []byte(payload), FunctionError: fnErr}
	}}}
}

func mustNew(t *testing.T, inv Invoker, params []eval.Type, ret eval.Type) *eval.Func {
	t.Helper()
	f, err := New(inv, "f", params, ret)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	tBool      = eval.Type{Kind: eval.Boolean}
	tTiny      = eval.Type{Kind: eval.TinyInt}
	tInt       = eval.Type{Kind: eval.Integer}
	tBig       = eval.Type{Kind: eval.BigInt}
	tDec       = eval.Type{Kind: eval.Decimal, Len: 10, Scale: 2}
	tReal      = eval.Type{Kind: eval.Real}
	tDouble    = eval.Type{Kind: eval.Double}
	tChar      = eval.Type{Kind: eval.Char, Len: 4}
	tVarchar   = eval.Type{Kind: eval.Varchar}
	tVarchar3  = eval.Type{Kind: eval.Varchar, Len: 3}
	tVarbinary = eval.Type{Kind: eval.Varbinary}
	tDate      = eval.Type{Kind: eval.Date}
	tTime      = eval.Type{Kind: eval.Time}
	tTimestamp = eval.Type{Kind: eval.Timestamp}
	tDayTime   = eval.Type{Kind: eval.IntervalDayTime, Unit: eval.UnitSecond}
	tYearMonth = eval.Type{Kind: eval.IntervalYearMonth, Unit: eval.UnitMonth}
)

// ts is a TIMESTAMP value.
func ts(s string) eval.Value {
	v, err := eval.Cast(eval.Str(s), tTimestamp)
	if err != nil {
		panic(err)
	}
	return v
}

func TestEvent(t *testing.T) {
	tests := []struct {
		name string
		typ  eval.Type
		v    eval.Value
		want string
	}{
		{"null", tDouble, eval.NullValue, `null`},
		{"true", tBool, eval.Bool(true), `true`},
		{"false", tBool, eval.Bool(false), `false`},
		{"tinyint", tTiny, eval.Value{Kind: eval.TinyInt, I: -7}, `-7`},
		{"bigint", tBig, eval.BigIntValue(math.MinInt64), `-9223372036854775808`},
		{"decimal", tDec, eval.DecimalValue(1250, 2), `12.50`},
		{"decimal small", tDec, eval.DecimalValue(-5, 3), `-0.005`},
		{"decimal min", tDec, eval.DecimalValue(math.MinInt64, 2), `-92233720368547758.08`},
		{"decimal scale 0", tDec, eval.DecimalValue(42, 0), `42`},
		{"real", tReal, eval.RealValue(0.1), `0.1`},
		{"double", tDouble, eval.DoubleValue(1.5), `1.5`},
		{"double integral", tDouble, eval.DoubleValue(3), `3`},
		{"double big", tDouble, eval.DoubleValue(1e21), `1e+21`},
		{"double tiny", tDouble, eval.DoubleValue(-1e-7), `-1e-7`},
		{"double 1e20", tDouble, eval.DoubleValue(1e20), `100000000000000000000`},
		{"NaN", tDouble, eval.DoubleValue(math.NaN()), `"NaN"`},
		{"+Inf", tDouble, eval.DoubleValue(math.Inf(1)), `"Infinity"`},
		{"-Inf", tDouble, eval.DoubleValue(math.Inf(-1)), `"-Infinity"`},
		{"varchar", tVarchar, eval.Str(`a "q" \ é 😀`), `"a \"q\" \\ é 😀"`},
		{"varchar controls", tVarchar, eval.Str("a\nb\tc\r\x01\x7f"), `"a\nb\tc\r\u0001` + "\x7f" + `"`},
		{"varchar bad utf8", tVarchar, eval.Str("a\xffb"), `"a\ufffdb"`},
		{"char", tChar, eval.Value{Kind: eval.Char, S: "ab  "}, `"ab  "`},
		{"varbinary", tVarbinary, eval.Value{Kind: eval.Varbinary, S: "\x00\x01\xff"}, `"AAH/"`},
		{"date", tDate, eval.Value{Kind: eval.Date, I: 20454}, `"2026-01-01"`},
		{"date before 1970", tDate, eval.Value{Kind: eval.Date, I: -1}, `"1969-12-31"`},
		{"time", tTime, eval.Value{Kind: eval.Time, I: 13*3600000 + 5*60000 + 7*1000 + 9}, `"13:05:07.009"`},
		{"timestamp", tTimestamp, ts("2026-11-26 05:06:07.089"), `"2026-11-26 05:06:07.089"`},
		{"timestamp whole second", tTimestamp, ts("2026-11-26 05:06:07"), `"2026-11-26 05:06:07.000"`},
		{"timestamp before 1970", tTimestamp, eval.TimestampMillis(-1), `"1969-12-31 23:59:59.999"`},
		{"interval day-time", tDayTime, eval.Value{Kind: eval.IntervalDayTime, I: 90000, Aux: eval.UnitSecond}, `90000`},
		{"interval year-month", tYearMonth, eval.Value{Kind: eval.IntervalYearMonth, I: 14, Aux: eval.UnitMonth}, `14`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := answering("null", "")
			f := mustNew(t, inv, []eval.Type{tInt, tt.typ}, tInt)
			if _, err := f.Call([]eval.Value{eval.Int(1), tt.v}); err != nil {
				t.Fatal(err)
			}
			want := "[1," + tt.want + "]"
			if got := inv.eng.events[0]; got != want {
				t.Fatalf("event %s, want %s", got, want)
			}
			if !json.Valid([]byte(want)) {
				t.Fatalf("%s is not JSON", want)
			}
		})
	}
}

func TestAnswer(t *testing.T) {
	tests := []struct {
		answer  string
		typ     eval.Type
		want    eval.Value
		wantErr string
	}{
		{`null`, tDouble, eval.NullValue, ""},
		{` null `, tVarchar, eval.NullValue, ""},
		{`true`, tBool, eval.Bool(true), ""},
		{`false`, tVarchar, eval.Str("FALSE"), ""},
		{`1.5`, tDouble, eval.DoubleValue(1.5), ""},
		{`-2e3`, tDouble, eval.DoubleValue(-2000), ""},
		{`0.1`, tReal, eval.RealValue(0.1), ""},
		{`42`, tInt, eval.Int(42), ""},
		{`2.5`, tInt, eval.Int(3), ""},
		{`1e2`, tBig, eval.BigIntValue(100), ""},
		{`9223372036854775807`, tBig, eval.BigIntValue(math.MaxInt64), ""},
		{`12.345`, tDec, eval.DecimalValue(1235, 2), ""},
		{`"12.5"`, tDouble, eval.DoubleValue(12.5), ""},
		{`"NaN"`, tDouble, eval.DoubleValue(math.NaN()), ""},
		{`"Infinity"`, tDouble, eval.DoubleValue(math.Inf(1)), ""},
		{`"-Infinity"`, tReal, eval.RealValue(math.Inf(-1)), ""},
		{`" 7 "`, tInt, eval.Int(7), ""},
		{`"abc"`, tVarchar, eval.Str("abc"), ""},
		{`"abcdef"`, tVarchar3, eval.Value{Kind: eval.Varchar, S: "abc"}, ""},
		{`"ab"`, tChar, eval.Value{Kind: eval.Char, S: "ab  "}, ""},
		{`"a\"b\u00e9\n"`, tVarchar, eval.Str("a\"bé\n"), ""},
		{`"héllo"`, tVarchar, eval.Str("héllo"), ""},
		{`12.50`, tVarchar, eval.Str("12.50"), ""},
		{`1e7`, tVarchar, eval.Str("1e7"), ""},
		{`{"a": [1, 2]}`, tVarchar, eval.Str(`{"a": [1, 2]}`), ""},
		{`[1,2]`, tVarchar, eval.Str(`[1,2]`), ""},
		{`"AAH/"`, tVarbinary, eval.Value{Kind: eval.Varbinary, S: "\x00\x01\xff"}, ""},
		{`"2026-01-01 10:00:00.5"`, tTimestamp, ts("2026-01-01 10:00:00.500"), ""},
		{`"2026-01-01T10:00:00.123Z"`, tTimestamp, ts("2026-01-01 10:00:00.123"), ""},
		{`"2026-01-01T12:00:00+02:00"`, tTimestamp, ts("2026-01-01 10:00:00"), ""},
		{`1767261600000`, tTimestamp, ts("2026-01-01 10:00:00"), ""},
		{`1767261600000`, tDate, eval.Value{Kind: eval.Date, I: 20454}, ""},
		{`1767261600123`, tTime, eval.Value{Kind: eval.Time, I: 36000123}, ""},
		{`"2026-01-01"`, tDate, eval.Value{Kind: eval.Date, I: 20454}, ""},
		{`"10:00:00"`, tTime, eval.Value{Kind: eval.Time, I: 36000000}, ""},
		{`90000`, tDayTime, eval.Value{Kind: eval.IntervalDayTime, I: 90000, Aux: eval.UnitSecond}, ""},
		{`14`, tYearMonth, eval.Value{Kind: eval.IntervalYearMonth, I: 14, Aux: eval.UnitMonth}, ""},
		// Answers that do not convert.
		{`"abc"`, tDouble, eval.NullValue, `answered "abc", which does not convert to DOUBLE: cannot CAST 'abc' to DOUBLE`},
		{`300`, tTiny, eval.NullValue, "does not fit TINYINT"},
		{`1e400`, tDouble, eval.NullValue, "out of range"},
		{`{"a":1}`, tDouble, eval.NullValue, "a JSON object or array converts only to CHAR or VARCHAR"},
		{`[1]`, tInt, eval.NullValue, "converts only to CHAR or VARCHAR"},
		{`1`, tBool, eval.NullValue, "cannot CAST a number to BOOLEAN"},
		{`true`, tInt, eval.NullValue, "cannot CAST BOOLEAN to INTEGER"},
		{`"maybe"`, tBool, eval.NullValue, "cannot CAST 'maybe' to BOOLEAN"},
		{`"not base64!"`, tVarbinary, eval.NullValue, "VARBINARY wants base64"},
		{`"yesterday"`, tTimestamp, eval.NullValue, "invalid TIMESTAMP"},
		{``, tInt, eval.NullValue, "not a JSON value"},
		{`nul`, tInt, eval.NullValue, "not a JSON value"},
		{`tru`, tBool, eval.NullValue, "not a JSON value"},
		{`01`, tInt, eval.NullValue, "not a JSON value"},
		{`1.`, tDouble, eval.NullValue, "not a JSON value"},
		{`1 2`, tInt, eval.NullValue, "not a JSON value"},
		{`"a" "b"`, tVarchar, eval.NullValue, "not a JSON value"},
		{`"abc`, tVarchar, eval.NullValue, "not a JSON value"},
		{`"a\"`, tVarchar, eval.NullValue, "not a JSON value"},
		{`"\x"`, tVarchar, eval.NullValue, "not a JSON value"},
		{"\"a\x01\"", tVarchar, eval.NullValue, "not a JSON value"},
		{`{"a":}`, tVarchar, eval.NullValue, "not a JSON value"},
		{`NaN`, tDouble, eval.NullValue, "not a JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.answer+"→"+tt.typ.String(), func(t *testing.T) {
			f := mustNew(t, answering(tt.answer, ""), []eval.Type{tInt}, tt.typ)
			got, err := f.Call([]eval.Value{eval.Int(1)})
			if tt.wantErr != "" {
				var ce *ConvertError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, %v; want a ConvertError with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want && !(math.IsNaN(got.F) && math.IsNaN(tt.want.F) && got.Kind == tt.want.Kind) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestFunctionError(t *testing.T) {
	tests := []struct {
		payload string
		want    string
	}{
		{`{"errorMessage":"latitude 100 is not within [-90, 90]","errorType":"errorString"}`,
			"function f failed: errorString: latitude 100 is not within [-90, 90]"},
		{`{"errorMessage":"RequestId: x Error: Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"}`,
			"function f failed: Sandbox.Timedout: RequestId: x Error: Task timed out after 1.00 seconds"},
		{`not json`, "function f failed: not json"},
	}
	for _, tt := range tests {
		f := mustNew(t, answering(tt.payload, "Unhandled"), nil, tDouble)
		_, err := f.Call(nil)
		var fe *FunctionError
		if !errors.As(err, &fe) || err.Error() != tt.want {
			t.Errorf("got %v, want %s", err, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	inv := &fakeInvoker{err: errors.New("ResourceNotFoundException: Function not found")}
	f, err := New(inv, "missing:prod", []eval.Type{tInt}, tInt)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := f.Call([]eval.Value{eval.Int(1)}); err == nil || !strings.Contains(err.Error(), "function missing:prod: ResourceNotFoundException") {
			t.Fatalf("got %v", err)
		}
	}
	if inv.resolves != 1 || inv.names[0] != "missing:prod|" {
		t.Fatalf("resolved %d times (%v), want once per second", inv.resolves, inv.names)
	}

	ok := answering("1", "")
	f = mustNew(t, ok, []eval.Type{tInt}, tInt)
	for range 3 {
		if v, err := f.Call([]eval.Value{eval.Int(1)}); err != nil || v != eval.Int(1) {
			t.Fatalf("got %v, %v", v, err)
		}
	}
	if ok.resolves != 1 || ok.eng.invokes != 3 {
		t.Fatalf("%d resolves, %d invokes; want 1, 3", ok.resolves, ok.eng.invokes)
	}
	if _, err := f.Call(nil); err == nil || !strings.Contains(err.Error(), "takes 1 arguments, not 0") {
		t.Fatalf("got %v", err)
	}
}

func TestNew(t *testing.T) {
	inv := answering("null", "")
	tests := []struct {
		name     string
		inv      Invoker
		function string
		params   []eval.Type
		returns  eval.Type
		want     string
	}{
		{"no invoker", nil, "f", nil, tInt, "no invoker"},
		{"no name", inv, "", nil, tInt, "empty function name"},
		{"long name", inv, strings.Repeat("f", 171), nil, tInt, "longer than 170"},
		{"no return type", inv, "f", nil, eval.Type{}, "no return type"},
		{"untyped parameter", inv, "f", []eval.Type{tInt, {}}, tInt, "parameter 2 has no type"},
	}
	for _, tt := range tests {
		if _, err := New(tt.inv, tt.function, tt.params, tt.returns); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	params := []eval.Type{tInt, tVarchar}
	f := mustNew(t, inv, params, tVarchar3)
	params[0] = tBool
	if f.Params[0] != tInt || f.Returns != tVarchar3 {
		t.Fatalf("Func %+v does not keep its own types", f)
	}
}

func TestContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := NewContext(ctx, answering("1", ""), "f", []eval.Type{tInt}, tInt)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Call([]eval.Value{eval.Int(1)}); err != nil || v != eval.Int(1) {
		t.Fatalf("got %v, %v", v, err)
	}
	cancel()
	if _, err := f.Call([]eval.Value{eval.Int(1)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("after the context ended: %v", err)
	}
}

// TestConcurrent calls one Func from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	inv := &fakeInvoker{eng: &fakeEngine{answer: func(p []byte) engine.Result {
		var args []string
		if err := json.Unmarshal(p, &args); err != nil {
			return engine.Result{Payload: []byte(`{"errorMessage":"bad event"}`), FunctionError: "Unhandled"}
		}
		b, _ := json.Marshal(strings.ToUpper(args[0]))
		return engine.Result{Payload: b}
	}}}
	f := mustNew(t, inv, []eval.Type{tVarchar}, tVarchar)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				s := strings.Repeat("x", g*50+i)
				v, err := f.Call([]eval.Value{eval.Str(s)})
				if err != nil || v.S != strings.ToUpper(s) {
					t.Errorf("got %q, %v", v.S, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzAnswer reads arbitrary answers as every type: no panics, and what
// encoding/json reads as a string reads the same here.
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{`null`, `true`, `1.5`, `-0`, `1e400`, `"a\"b\u00e9"`, `"2026-01-01T10:00:00Z"`,
		`{"a":[1,2]}`, `[`, `"\ud800"`, "\"\xff\"", `12345678901234567890`, `"AAH/"`} {
		f.Add([]byte(s))
	}
	types := []eval.Type{tBool, tTiny, tInt, tBig, tDec, tReal, tDouble, tChar, tVarchar, tVarchar3,
		tVarbinary, tDate, tTime, tTimestamp, tDayTime, tYearMonth}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range types {
			v, err := decodeAnswer(b, typ)
			if err == nil && !v.IsNull() && v.Kind != typ.Kind {
				t.Fatalf("%q as %s: got kind %s", b, typ, v.Kind)
			}
		}
		var s string
		if json.Unmarshal(b, &s) == nil {
			v, err := decodeAnswer(b, tVarchar)
			if err != nil || v.S != s {
				t.Fatalf("%q: got %q, %v; encoding/json reads %q", b, v.S, err, s)
			}
		}
	})
}

// BenchmarkCall is the cost of the package itself: the event written and
// the answer read around an engine that answers at once.
func BenchmarkCall(b *testing.B) {
	tests := []struct {
		name    string
		params  []eval.Type
		args    []eval.Value
		returns eval.Type
		answer  string
	}{
		{"3 doubles→varchar", []eval.Type{tDouble, tDouble, tInt}, []eval.Value{eval.DoubleValue(57.64911), eval.DoubleValue(10.40744), eval.Int(11)},
			eval.Type{Kind: eval.Varchar, Len: 12}, `"u4pruydqqvj"`},
		{"varchar,timestamp→double", []eval.Type{tVarchar, tTimestamp}, []eval.Value{eval.Str("AMZN"), ts("2026-11-26 05:06:07.089")},
			tDouble, `123.456`},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			ans := []byte(tt.answer)
			inv := &fakeInvoker{eng: &fakeEngine{}}
			inv.eng.answer = func([]byte) engine.Result { return engine.Result{Payload: ans} }
			f, err := New(inv, "f", tt.params, tt.returns)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				inv.eng.events = inv.eng.events[:0]
				if _, err := f.Call(tt.args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
