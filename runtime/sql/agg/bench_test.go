package agg

import (
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// benchAdd measures Add (and, when window > 0, a sliding frame's Remove of
// the row window rows back) per row.
func benchAdd(b *testing.B, c call, window int, gen func(k int) eval.Value) {
	const n = 1024
	rows := make([][]eval.Value, n)
	for k := range rows {
		rows[k] = []eval.Value{gen(k)}
		if len(c.args) > 1 {
			rows[k] = append(rows[k], eval.Value{})
		}
	}
	a := c.new(b)
	b.ReportAllocs()
	b.ResetTimer()
	for k := range b.N {
		if err := a.Add(int64(k), rows[k%n]); err != nil {
			b.Fatal(err)
		}
		if window > 0 && k >= window {
			if err := a.Remove(int64(k-window), rows[(k-window)%n]); err != nil {
				b.Fatal(err)
			}
		}
	}
	_ = a.Result()
}

func genInt(k int) eval.Value    { return eval.BigIntValue(int64(k*7919%1000 - 500)) }
func genDouble(k int) eval.Value { return eval.DoubleValue(float64(k*7919%1000) / 7) }

func BenchmarkCountAdd(b *testing.B) {
	benchAdd(b, call{name: "COUNT", args: []eval.Type{tBig}}, 0, genInt)
}
func BenchmarkSumAdd(b *testing.B) {
	benchAdd(b, call{name: "SUM", args: []eval.Type{tBig}}, 0, genInt)
}
func BenchmarkSumAddDouble(b *testing.B) {
	benchAdd(b, call{name: "SUM", args: []eval.Type{tDouble}}, 0, genDouble)
}
func BenchmarkSumSliding(b *testing.B) {
	benchAdd(b, call{name: "SUM", args: []eval.Type{tBig}}, 100, genInt)
}
func BenchmarkAvgAdd(b *testing.B) {
	benchAdd(b, call{name: "AVG", args: []eval.Type{tDouble}}, 0, genDouble)
}
func BenchmarkAvgSliding(b *testing.B) {
	benchAdd(b, call{name: "AVG", args: []eval.Type{tDouble}}, 100, genDouble)
}
func BenchmarkMaxAddOnly(b *testing.B) {
	f := Lookup("MAX")
	a := f.NewAddOnly([]eval.Type{tBig}, nil, false)
	args := []eval.Value{{}}
	b.ReportAllocs()
	for k := range b.N {
		args[0] = genInt(k)
		_ = a.Add(int64(k), args)
	}
}
func BenchmarkMaxSliding(b *testing.B) {
	benchAdd(b, call{name: "MAX", args: []eval.Type{tBig}}, 100, genInt)
}
func BenchmarkMinSlidingVarchar(b *testing.B) {
	strs := []string{"AMZN", "AAPL", "MSFT", "GOOG", "NFLX", "TSLA", "ORCL"}
	benchAdd(b, call{name: "MIN", args: []eval.Type{tVarch}}, 100, func(k int) eval.Value { return eval.Str(strs[k*31%len(strs)]) })
}
func BenchmarkFirstValueSliding(b *testing.B) {
	benchAdd(b, call{name: "FIRST_VALUE", args: []eval.Type{tBig}}, 100, genInt)
}
func BenchmarkLastValueSliding(b *testing.B) {
	benchAdd(b, call{name: "LAST_VALUE", args: []eval.Type{tBig}}, 100, genInt)
}
func BenchmarkVarSampSliding(b *testing.B) {
	benchAdd(b, call{name: "VAR_SAMP", args: []eval.Type{tDouble}}, 100, genDouble)
}
func BenchmarkExpAvgSliding(b *testing.B) {
	benchAdd(b, call{name: "EXP_AVG", args: []eval.Type{tDouble, tIntervalSec()}, consts: []*eval.Value{nil, sec(10)}}, 100, genDouble)
}
func BenchmarkCountDistinctSliding(b *testing.B) {
	benchAdd(b, call{name: "COUNT", args: []eval.Type{tBig}, distinct: true}, 100, genInt)
}

func BenchmarkAppendValue(b *testing.B) {
	buf := make([]byte, 0, 64)
	v := eval.Str("AMZN")
	b.ReportAllocs()
	for range b.N {
		buf = AppendValue(buf[:0], v)
	}
}
