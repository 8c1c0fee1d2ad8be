package agg

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

var (
	tInt    = eval.Type{Kind: eval.Integer}
	tBig    = eval.Type{Kind: eval.BigInt}
	tDouble = eval.Type{Kind: eval.Double}
	tReal   = eval.Type{Kind: eval.Real}
	tDec2   = eval.Type{Kind: eval.Decimal, Len: 10, Scale: 2}
	tVarch  = eval.Type{Kind: eval.Varchar, Len: 10}
	tChar   = eval.Type{Kind: eval.Char, Len: 3}
	null    = eval.NullValue
)

func i(v int64) eval.Value   { return eval.Int(v) }
func d(v float64) eval.Value { return eval.DoubleValue(v) }
func s(v string) eval.Value  { return eval.Str(v) }
func dec(u int64) eval.Value { return eval.DecimalValue(u, 2) }
func sec(n int64) *eval.Value {
	v := eval.Value{Kind: eval.IntervalDayTime, Aux: eval.UnitSecond, I: n * 1000}
	return &v
}
func tIntervalSec() eval.Type { return eval.Type{Kind: eval.IntervalDayTime, Unit: eval.UnitSecond} }

type call struct {
	name     string
	args     []eval.Type
	consts   []*eval.Value
	distinct bool
	ignore   bool
}

func (c call) fn(t testing.TB) *Func {
	t.Helper()
	f := Lookup(c.name)
	if f == nil {
		t.Fatalf("Lookup(%q) = nil", c.name)
	}
	if c.ignore {
		f = f.IgnoreNulls()
	}
	return f
}

func (c call) consts_() []*eval.Value {
	if c.consts != nil {
		return c.consts
	}
	return make([]*eval.Value, len(c.args))
}

func (c call) new(t testing.TB) Accumulator {
	t.Helper()
	f := c.fn(t)
	if _, err := f.Check(c.args, c.consts_(), c.distinct); err != nil {
		t.Fatalf("%s Check: %v", c.name, err)
	}
	return f.New(c.args, c.consts_(), c.distinct)
}

// row is one row's time and argument values.
type row struct {
	t    int64
	args []eval.Value
}

func rowsOf(vals ...eval.Value) []row {
	out := make([]row, len(vals))
	for k, v := range vals {
		out[k] = row{t: int64(k) * 1000, args: []eval.Value{v}}
	}
	return out
}

func sameValue(a, b eval.Value) bool {
	if a.Kind != b.Kind || a.Aux != b.Aux || a.I != b.I || a.S != b.S {
		return false
	}
	if a.Kind == eval.Double || a.Kind == eval.Real {
		if math.IsNaN(a.F) || math.IsNaN(b.F) {
			return math.IsNaN(a.F) && math.IsNaN(b.F)
		}
		if a.F == b.F {
			return true
		}
		return math.Abs(a.F-b.F) <= 1e-9*math.Max(1, math.Max(math.Abs(a.F), math.Abs(b.F)))
	}
	return true
}

func TestFunctions(t *testing.T) {
	dblTests := []struct {
		name string
		c    call
		rows []row
		want eval.Value
	}{
		{"count star", call{name: "COUNT"}, []row{{0, nil}, {1, nil}, {2, nil}}, eval.BigIntValue(3)},
		{"count star empty", call{name: "COUNT"}, nil, eval.BigIntValue(0)},
		{"count skips nulls", call{name: "COUNT", args: []eval.Type{tInt}}, rowsOf(i(1), null, i(3)), eval.BigIntValue(2)},
		{"count distinct", call{name: "COUNT", args: []eval.Type{tInt}, distinct: true}, rowsOf(i(1), i(1), null, i(3)), eval.BigIntValue(2)},
		{"count distinct char pads", call{name: "COUNT", args: []eval.Type{tChar}, distinct: true},
			rowsOf(eval.Value{Kind: eval.Char, S: "a  "}, eval.Value{Kind: eval.Char, S: "a"}), eval.BigIntValue(1)},
		{"sum int is bigint", call{name: "SUM", args: []eval.Type{tInt}}, rowsOf(i(math.MaxInt32), i(math.MaxInt32)), eval.BigIntValue(2 * math.MaxInt32)},
		{"sum nulls", call{name: "SUM", args: []eval.Type{tInt}}, rowsOf(null, null), null},
		{"sum empty", call{name: "SUM", args: []eval.Type{tInt}}, nil, null},
		{"sum skips null", call{name: "SUM", args: []eval.Type{tInt}}, rowsOf(i(1), null, i(2)), eval.BigIntValue(3)},
		{"sum distinct", call{name: "SUM", args: []eval.Type{tInt}, distinct: true}, rowsOf(i(2), i(2), i(3)), eval.BigIntValue(5)},
		{"sum double", call{name: "SUM", args: []eval.Type{tDouble}}, rowsOf(d(0.5), d(1e20), d(0.25), d(-1e20)), d(0.75)},
		{"sum real", call{name: "SUM", args: []eval.Type{tReal}}, rowsOf(eval.RealValue(1.5), eval.RealValue(2)), eval.RealValue(3.5)},
		{"sum decimal", call{name: "SUM", args: []eval.Type{tDec2}}, rowsOf(dec(150), dec(275)), eval.DecimalValue(425, 2)},
		{"sum decimal rescales", call{name: "SUM", args: []eval.Type{tDec2}}, rowsOf(dec(150), eval.DecimalValue(5, 1)), eval.DecimalValue(200, 2)},
		{"avg int truncates", call{name: "AVG", args: []eval.Type{tInt}}, rowsOf(i(1), i(2)), i(1)},
		{"avg int negative truncates", call{name: "AVG", args: []eval.Type{tInt}}, rowsOf(i(-1), i(-2)), i(-1)},
		{"avg bigint", call{name: "AVG", args: []eval.Type{tBig}}, rowsOf(eval.BigIntValue(math.MaxInt64), eval.BigIntValue(math.MaxInt64-2)), eval.BigIntValue(math.MaxInt64 - 1)},
		{"avg double", call{name: "AVG", args: []eval.Type{tDouble}}, rowsOf(d(1), null, d(2)), d(1.5)},
		{"avg decimal rounds", call{name: "AVG", args: []eval.Type{tDec2}}, rowsOf(dec(1), dec(2)), eval.DecimalValue(2, 2)},
		{"avg decimal rounds negative", call{name: "AVG", args: []eval.Type{tDec2}}, rowsOf(dec(-1), dec(-2)), eval.DecimalValue(-2, 2)},
		{"avg distinct", call{name: "AVG", args: []eval.Type{tDouble}, distinct: true}, rowsOf(d(1), d(1), d(4)), d(2.5)},
		{"avg empty", call{name: "AVG", args: []eval.Type{tDouble}}, nil, null},
		{"min", call{name: "MIN", args: []eval.Type{tInt}}, rowsOf(i(3), null, i(1), i(2)), i(1)},
		{"max", call{name: "MAX", args: []eval.Type{tInt}}, rowsOf(i(3), null, i(1), i(2)), i(3)},
		{"max varchar", call{name: "MAX", args: []eval.Type{tVarch}}, rowsOf(s("b"), s("abc"), null), s("b")},
		{"min nulls", call{name: "MIN", args: []eval.Type{tInt}}, rowsOf(null), null},
		{"min decimal mixed scale", call{name: "MIN", args: []eval.Type{tDec2}}, rowsOf(dec(150), eval.DecimalValue(14, 1)), eval.DecimalValue(14, 1)},
		{"first respects nulls", call{name: "FIRST_VALUE", args: []eval.Type{tInt}}, rowsOf(null, i(1), i(2)), null},
		{"first ignore nulls", call{name: "FIRST_VALUE", args: []eval.Type{tInt}, ignore: true}, rowsOf(null, i(1), i(2)), i(1)},
		{"last respects nulls", call{name: "LAST_VALUE", args: []eval.Type{tInt}}, rowsOf(i(1), i(2), null), null},
		{"last ignore nulls", call{name: "LAST_VALUE", args: []eval.Type{tInt}, ignore: true}, rowsOf(i(1), i(2), null), i(2)},
		{"var_pop", call{name: "VAR_POP", args: []eval.Type{tInt}}, rowsOf(i(2), i(4), i(4), i(4), i(5), i(5), i(7), i(9)), d(4)},
		{"stddev_pop", call{name: "STDDEV_POP", args: []eval.Type{tInt}}, rowsOf(i(2), i(4), i(4), i(4), i(5), i(5), i(7), i(9)), d(2)},
		{"var_samp", call{name: "VAR_SAMP", args: []eval.Type{tDouble}}, rowsOf(d(1), d(2), d(3), d(4)), d(5.0 / 3)},
		{"stddev_samp", call{name: "STDDEV_SAMP", args: []eval.Type{tDouble}}, rowsOf(d(1), d(3)), d(math.Sqrt2)},
		{"std_dev alias", call{name: "STD_DEV", args: []eval.Type{tDouble}}, rowsOf(d(1), d(3)), d(math.Sqrt2)},
		{"var_samp one row", call{name: "VAR_SAMP", args: []eval.Type{tDouble}}, rowsOf(d(1)), null},
		{"var_pop one row", call{name: "VAR_POP", args: []eval.Type{tDouble}}, rowsOf(d(1)), d(0)},
		{"var_pop empty", call{name: "VAR_POP", args: []eval.Type{tDouble}}, rowsOf(null), null},
		{"var_pop large offset", call{name: "VAR_POP", args: []eval.Type{tDouble}}, rowsOf(d(1e9+1), d(1e9+3)), d(1)},
		{"var distinct", call{name: "VAR_POP", args: []eval.Type{tInt}, distinct: true}, rowsOf(i(1), i(1), i(3)), d(1)},
		// The reference's example: with a 10 s half-life, a price 10 s newer weighs twice as much.
		{"exp_avg", call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(10)}},
			[]row{{0, []eval.Value{d(10), {}}}, {10000, []eval.Value{d(40), {}}}}, d(30)},
		{"exp_avg three", call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(10)}},
			[]row{{0, []eval.Value{d(1), {}}}, {10000, []eval.Value{d(2), {}}}, {20000, []eval.Value{d(4), {}}}, {20000, []eval.Value{null, {}}}}, d((1 + 4 + 16) / 7.0)},
		{"exp_avg empty", call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(10)}}, nil, null},
	}
	for _, tc := range dblTests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.c.fn(t)
			rt, err := f.Check(tc.c.args, tc.c.consts_(), tc.c.distinct)
			if err != nil {
				t.Fatal(err)
			}
			for _, mk := range []func([]eval.Type, []*eval.Value, bool) Accumulator{f.New, f.NewAddOnly} {
				if mk == nil {
					continue
				}
				a := mk(tc.c.args, tc.c.consts_(), tc.c.distinct)
				for _, r := range tc.rows {
					if err := a.Add(r.t, r.args); err != nil {
						t.Fatal(err)
					}
				}
				got := a.Result()
				if !sameValue(got, tc.want) {
					t.Fatalf("result %#v, want %#v", got, tc.want)
				}
				if !got.IsNull() && got.Kind != rt.Kind {
					t.Fatalf("result kind %s, Check said %s", got.Kind, rt)
				}
			}
		})
	}
}

func TestCheckTypes(t *testing.T) {
	tests := []struct {
		c       call
		want    eval.Type
		wantErr bool
	}{
		{c: call{name: "COUNT"}, want: eval.Type{Kind: eval.BigInt, NotNull: true}},
		{c: call{name: "COUNT", args: []eval.Type{tVarch}}, want: eval.Type{Kind: eval.BigInt, NotNull: true}},
		{c: call{name: "COUNT", args: []eval.Type{tInt, tInt}}, wantErr: true},
		{c: call{name: "COUNT", distinct: true}, wantErr: true},
		{c: call{name: "SUM", args: []eval.Type{{Kind: eval.SmallInt}}}, want: tBig},
		{c: call{name: "SUM", args: []eval.Type{tDec2}}, want: eval.Type{Kind: eval.Decimal, Len: 18, Scale: 2}},
		{c: call{name: "SUM", args: []eval.Type{tReal}}, want: tReal},
		{c: call{name: "SUM", args: []eval.Type{tVarch}}, wantErr: true},
		{c: call{name: "SUM"}, wantErr: true},
		{c: call{name: "AVG", args: []eval.Type{{Kind: eval.SmallInt}}}, want: eval.Type{Kind: eval.SmallInt}},
		{c: call{name: "AVG", args: []eval.Type{{Kind: eval.Timestamp}}}, wantErr: true},
		{c: call{name: "MIN", args: []eval.Type{{Kind: eval.Timestamp, NotNull: true}}}, want: eval.Type{Kind: eval.Timestamp}},
		{c: call{name: "MAX", args: []eval.Type{tVarch}}, want: tVarch},
		{c: call{name: "FIRST_VALUE", args: []eval.Type{tVarch}, distinct: true}, wantErr: true},
		{c: call{name: "LAST_VALUE", args: []eval.Type{tVarch}}, want: tVarch},
		{c: call{name: "VAR_POP", args: []eval.Type{tInt}}, want: tDouble},
		{c: call{name: "STDDEV_SAMP", args: []eval.Type{tVarch}}, wantErr: true},
		{c: call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(10)}}, want: tDouble},
		{c: call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}}, wantErr: true},
		{c: call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(0)}}, wantErr: true},
		{c: call{name: "EXP_AVG", args: []eval.Type{tDouble}}, wantErr: true},
		{c: call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(10)}, distinct: true}, wantErr: true},
	}
	for _, tc := range tests {
		got, err := tc.c.fn(t).Check(tc.c.args, tc.c.consts_(), tc.c.distinct)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s%v: err %v, want error %v", tc.c.name, tc.c.args, err, tc.wantErr)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("%s%v: %v, want %v", tc.c.name, tc.c.args, got, tc.want)
		}
	}
	if Lookup("NOPE") != nil {
		t.Error("Lookup of an unknown name is not nil")
	}
	if f := Lookup("SUM"); f.IgnoreNulls() != f {
		t.Error("SUM IGNORE NULLS is not SUM")
	}
}

func TestOverflow(t *testing.T) {
	a := call{name: "SUM", args: []eval.Type{tBig}}.new(t)
	big := []eval.Value{eval.BigIntValue(math.MaxInt64)}
	if err := a.Add(0, big); err != nil {
		t.Fatal(err)
	}
	err := a.Add(0, []eval.Value{eval.BigIntValue(1)})
	if !errors.Is(err, eval.ErrOverflow) {
		t.Fatalf("err %v, want ErrOverflow", err)
	}
	// The failed Add left the state alone.
	if got := a.Result(); got.I != math.MaxInt64 {
		t.Fatalf("after failed Add: %v", got)
	}
	if err := a.Add(0, []eval.Value{eval.BigIntValue(-5)}); err != nil {
		t.Fatal(err)
	}
	if err := a.Remove(0, big); err != nil {
		t.Fatal(err)
	}
	if got := a.Result(); got.I != -5 {
		t.Fatalf("after Remove: %v", got)
	}
	dsum := call{name: "SUM", args: []eval.Type{tDec2}}.new(t)
	if err := dsum.Add(0, []eval.Value{dec(maxDecimal)}); err != nil {
		t.Fatal(err)
	}
	if err := dsum.Add(0, []eval.Value{dec(1)}); !errors.Is(err, eval.ErrOverflow) {
		t.Fatalf("decimal: err %v, want ErrOverflow", err)
	}
}

// TestRemoveMatchesRecompute slides frames of random sizes over random
// rows and compares every result with a fresh accumulator fed the frame;
// every few steps it also snapshots the accumulator and carries on with
// the restored copy.
func TestRemoveMatchesRecompute(t *testing.T) {
	hs := sec(3)
	calls := []call{
		{name: "COUNT"},
		{name: "COUNT", args: []eval.Type{tInt}},
		{name: "COUNT", args: []eval.Type{tInt}, distinct: true},
		{name: "SUM", args: []eval.Type{tInt}},
		{name: "SUM", args: []eval.Type{tInt}, distinct: true},
		{name: "SUM", args: []eval.Type{tDouble}},
		{name: "SUM", args: []eval.Type{tDec2}},
		{name: "AVG", args: []eval.Type{tInt}},
		{name: "AVG", args: []eval.Type{tDouble}, distinct: true},
		{name: "AVG", args: []eval.Type{tDec2}},
		{name: "MIN", args: []eval.Type{tInt}},
		{name: "MAX", args: []eval.Type{tInt}},
		{name: "MIN", args: []eval.Type{tVarch}},
		{name: "MAX", args: []eval.Type{tDouble}},
		{name: "FIRST_VALUE", args: []eval.Type{tInt}},
		{name: "FIRST_VALUE", args: []eval.Type{tInt}, ignore: true},
		{name: "LAST_VALUE", args: []eval.Type{tInt}},
		{name: "LAST_VALUE", args: []eval.Type{tInt}, ignore: true},
		{name: "VAR_POP", args: []eval.Type{tDouble}},
		{name: "VAR_SAMP", args: []eval.Type{tInt}},
		{name: "STDDEV_POP", args: []eval.Type{tDouble}, distinct: true},
		{name: "STDDEV_SAMP", args: []eval.Type{tDec2}},
		{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, hs}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range calls {
		for trial := range 20 {
			width := 1 + rng.IntN(8)
			var rows []row
			t0 := int64(0)
			for range 200 {
				t0 += rng.Int64N(3000)
				rows = append(rows, row{t: t0, args: randomArgs(rng, c.args, c.name == "SUM" || c.name == "AVG")})
			}
			a := c.new(t)
			for k, r := range rows {
				if err := a.Add(r.t, r.args); err != nil {
					t.Fatal(err)
				}
				lo := max(0, k+1-width)
				if k >= width {
					old := rows[k-width]
					if err := a.Remove(old.t, old.args); err != nil {
						t.Fatal(err)
					}
				}
				fresh := c.new(t)
				for _, fr := range rows[lo : k+1] {
					if err := fresh.Add(fr.t, fr.args); err != nil {
						t.Fatal(err)
					}
				}
				got, want := a.Result(), fresh.Result()
				if !sameValue(got, want) {
					t.Fatalf("%s%v distinct=%v ignore=%v trial %d row %d width %d: sliding %#v, recomputed %#v",
						c.name, c.args, c.distinct, c.ignore, trial, k, width, got, want)
				}
				if k%7 == 3 {
					a = roundTrip(t, c, a)
				}
			}
		}
	}
}

// randomArgs makes one row's arguments; huge values mixed with small ones
// (which only compensated sums survive) when huge.
func randomArgs(rng *rand.Rand, types []eval.Type, huge bool) []eval.Value {
	out := make([]eval.Value, len(types))
	for k, ty := range types {
		if rng.IntN(5) == 0 && k == 0 {
			continue // NULL
		}
		switch ty.Kind {
		case eval.Integer:
			out[k] = i(rng.Int64N(21) - 10)
		case eval.Double:
			if huge && rng.IntN(10) == 0 {
				out[k] = d(float64(rng.Int64N(5)) * 1e15)
			} else {
				out[k] = d(float64(rng.Int64N(2001)-1000) / 8)
			}
		case eval.Decimal:
			out[k] = dec(rng.Int64N(2001) - 1000)
		case eval.Varchar:
			out[k] = s(string(rune('a' + rng.IntN(6))))
		}
	}
	return out
}

// roundTrip snapshots a, restores a fresh accumulator and checks it says
// the same; the copy then replaces a.
func roundTrip(t *testing.T, c call, a Accumulator) Accumulator {
	t.Helper()
	st := a.AppendState([]byte{0xEE})
	b := c.new(t)
	rest, err := b.ReadState(st[1:])
	if err != nil {
		t.Fatalf("%s ReadState: %v", c.name, err)
	}
	if len(rest) != 0 {
		t.Fatalf("%s ReadState left %d bytes", c.name, len(rest))
	}
	if !sameValue(a.Result(), b.Result()) {
		t.Fatalf("%s restored %v, was %v", c.name, b.Result(), a.Result())
	}
	// A truncated snapshot is an error, never a panic.
	for n := range len(st) - 1 {
		_, _ = c.new(t).ReadState(st[1 : 1+n])
	}
	return b
}

func TestAddOnlyStateRoundTrip(t *testing.T) {
	for _, name := range []string{"MIN", "MAX", "FIRST_VALUE"} {
		f := Lookup(name)
		a := f.NewAddOnly([]eval.Type{tInt}, nil, false)
		for _, v := range []int64{5, 2, 9} {
			_ = a.Add(0, []eval.Value{i(v)})
		}
		b := f.NewAddOnly([]eval.Type{tInt}, nil, false)
		if _, err := b.ReadState(a.AppendState(nil)); err != nil {
			t.Fatal(err)
		}
		_ = a.Add(0, []eval.Value{i(1)})
		_ = b.Add(0, []eval.Value{i(1)})
		if !sameValue(a.Result(), b.Result()) {
			t.Fatalf("%s: %v vs %v", name, a.Result(), b.Result())
		}
		if err := a.Remove(0, []eval.Value{i(5)}); err == nil {
			t.Fatalf("%s add-only Remove: no error", name)
		}
	}
}

func TestExpAvgRebase(t *testing.T) {
	// Rows far apart in time (many half-lives) rebase the sums; the result
	// is dominated by the newest value and removal still works.
	c := call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(1)}}
	a := c.new(t)
	var rows []row
	for k := range 200 {
		rows = append(rows, row{t: int64(k) * 10000, args: []eval.Value{d(float64(k)), {}}})
	}
	for k, r := range rows {
		if err := a.Add(r.t, r.args); err != nil {
			t.Fatal(err)
		}
		if k >= 3 {
			_ = a.Remove(rows[k-3].t, rows[k-3].args)
		}
		got := a.Result().F
		if math.Abs(got-float64(k)) > 1e-2 {
			t.Fatalf("row %d: %v", k, got)
		}
	}
}

func TestVarianceDrift(t *testing.T) {
	// Values drifting far from the first one: the shift follows the mean.
	c := call{name: "VAR_SAMP", args: []eval.Type{tDouble}}
	a := c.new(t)
	const width = 10
	var xs []float64
	for k := range 5000 {
		x := 1e9 + float64(k)*1e5 + float64(k%3)
		xs = append(xs, x)
		_ = a.Add(0, []eval.Value{d(x)})
		if k >= width {
			_ = a.Remove(0, []eval.Value{d(xs[k-width])})
		}
		if k%500 == 499 {
			fresh := c.new(t)
			for _, y := range xs[k+1-width:] {
				_ = fresh.Add(0, []eval.Value{d(y)})
			}
			got, want := a.Result().F, fresh.Result().F
			if math.Abs(got-want) > 1e-6*want {
				t.Fatalf("row %d: %v, recomputed %v", k, got, want)
			}
		}
	}
}

// fuzzCalls is one call of every function, with arguments of a type each takes.
func fuzzCalls() []call {
	var out []call
	for _, name := range Names() {
		c := call{name: name, args: []eval.Type{tInt}}
		switch name {
		case "COUNT":
			out = append(out, call{name: name})
		case "EXP_AVG":
			c = call{name: name, args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(5)}}
		case "FIRST_VALUE", "LAST_VALUE":
			out = append(out, call{name: name, args: []eval.Type{tInt}, ignore: true})
		case "SUM", "AVG":
			out = append(out, call{name: name, args: []eval.Type{tDec2}}, call{name: name, args: []eval.Type{tDouble}, distinct: true})
		}
		out = append(out, c)
	}
	return out
}

func FuzzAccumulatorState(f *testing.F) {
	calls := fuzzCalls()
	for _, c := range calls {
		a := c.new(f)
		for k := range 5 {
			_ = a.Add(int64(k)*1000, []eval.Value{i(int64(k)), {}})
		}
		f.Add(uint8(0), a.AppendState(nil))
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		c := calls[int(which)%len(calls)]
		a := c.new(t)
		if _, err := a.ReadState(b); err != nil {
			return
		}
		args := []eval.Value{i(3), {}}
		if c.args != nil && c.args[0].Kind == eval.Double {
			args[0] = d(3)
		}
		_ = a.Result()
		_ = a.Add(99, args)
		_ = a.Remove(0, args)
		_ = a.Remove(99, args)
		_ = a.Result()
		_ = a.AppendState(nil)
	})
}
