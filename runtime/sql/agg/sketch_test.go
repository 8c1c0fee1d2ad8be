package agg

import (
	"fmt"
	"math"
	"testing"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

func TestDistinctCounterExact(t *testing.T) {
	d := NewDistinctCounter()
	for k := range 3 * exactLimit {
		d.Add(eval.Int(int64(k % exactLimit)))
	}
	d.Add(eval.NullValue)
	d.Add(eval.DecimalValue(500, 2)) // equals 5
	if got := d.Count(); got != exactLimit {
		t.Fatalf("Count %d, want %d", got, exactLimit)
	}
	e := NewDistinctCounter()
	if _, err := e.ReadState(d.AppendState(nil)); err != nil {
		t.Fatal(err)
	}
	if e.Count() != exactLimit {
		t.Fatalf("restored Count %d", e.Count())
	}
	d.Reset()
	if d.Count() != 0 {
		t.Fatal("Reset")
	}
}

func TestDistinctCounterEstimate(t *testing.T) {
	for _, n := range []int{10001, 30000, 100000} {
		d := NewDistinctCounter()
		for k := range n {
			d.Add(eval.Str(fmt.Sprintf("item-%d", k)))
			if k%3 == 0 {
				d.Add(eval.Str(fmt.Sprintf("item-%d", k/2))) // repeats
			}
		}
		got := d.Count()
		if rel := math.Abs(float64(got)-float64(n)) / float64(n); rel > 0.03 {
			t.Errorf("n=%d: Count %d (%.2f%% off)", n, got, 100*rel)
		}
		e := NewDistinctCounter()
		rest, err := e.ReadState(append(d.AppendState(nil), 7))
		if err != nil || len(rest) != 1 || e.Count() != got {
			t.Fatalf("n=%d: restored %d, %v, rest %v", n, e.Count(), err, rest)
		}
		e.Add(eval.Str("item-0"))
		if e.Count() != got {
			t.Fatalf("n=%d: repeat changed the estimate", n)
		}
	}
}

func TestDistinctCounterBadState(t *testing.T) {
	for _, b := range [][]byte{nil, {2}, {1, 0}, {0, 5, 1, 2}} {
		if _, err := NewDistinctCounter().ReadState(b); err == nil {
			t.Errorf("ReadState(%x): no error", b)
		}
	}
}

func TestTopK(t *testing.T) {
	tk := NewTopK(3)
	// Frequencies: a 50, b 40, c 30, d 20, then 2000 values seen once.
	for k := range 50 {
		tk.Add(eval.Str("a"))
		if k < 40 {
			tk.Add(eval.Str("b"))
		}
		if k < 30 {
			tk.Add(eval.Str("c"))
		}
		if k < 20 {
			tk.Add(eval.Str("d"))
		}
		tk.Add(eval.NullValue)
	}
	for k := range 2000 {
		tk.Add(eval.Int(int64(k)))
	}
	items := tk.Items()
	if len(items) != 3 {
		t.Fatalf("items %v", items)
	}
	for k, want := range []string{"a", "b", "c"} {
		if items[k].Value.S != want {
			t.Fatalf("items %v", items)
		}
	}
	if items[0].Count < 50 {
		t.Fatalf("a counted %d", items[0].Count)
	}
	u := NewTopK(3)
	if _, err := u.ReadState(tk.AppendState(nil)); err != nil {
		t.Fatal(err)
	}
	tk.Add(eval.Str("z"))
	u.Add(eval.Str("z"))
	a, b := tk.Items(), u.Items()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("restored %v, was %v", b, a)
	}
	tk.Reset()
	if len(tk.Items()) != 0 {
		t.Fatal("Reset")
	}
}

func TestTopKExactWhenSmall(t *testing.T) {
	tk := NewTopK(2)
	for _, s := range []string{"x", "y", "y", "z", "z", "z", "x", "x", "x"} {
		tk.Add(eval.Str(s))
	}
	got := fmt.Sprint(tk.Items())
	if want := "[{x 4} {z 3}]"; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
}

func FuzzSketchState(f *testing.F) {
	d := NewDistinctCounter()
	tk := NewTopK(2)
	for k := range 20 {
		d.Add(eval.Int(int64(k)))
		tk.Add(eval.Int(int64(k % 5)))
	}
	f.Add(d.AppendState(nil))
	f.Add(tk.AppendState(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewDistinctCounter().ReadState(b)
		tk := NewTopK(2)
		if _, err := tk.ReadState(b); err == nil {
			tk.Add(eval.Int(1))
			_ = tk.Items()
		}
	})
}

func BenchmarkDistinctCounterAdd(b *testing.B) {
	d := NewDistinctCounter()
	b.ReportAllocs()
	for k := range b.N {
		d.Add(eval.BigIntValue(int64(k)))
	}
}

func BenchmarkTopKAdd(b *testing.B) {
	tk := NewTopK(10)
	syms := []eval.Value{eval.Str("AMZN"), eval.Str("AAPL"), eval.Str("MSFT"), eval.Str("GOOG"), eval.Str("NFLX")}
	b.ReportAllocs()
	for k := range b.N {
		tk.Add(syms[k*7%len(syms)])
	}
}
