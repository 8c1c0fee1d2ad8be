package agg

import (
	"encoding/binary"
	"math"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

func init() {
	for _, f := range []struct {
		name       string
		samp, sqrt bool
	}{
		{"VAR_POP", false, false},
		{"VAR_SAMP", true, false},
		{"STDDEV_POP", false, true},
		{"STDDEV_SAMP", true, true},
	} {
		fn := &Func{Name: f.name, Removable: true,
			Check: func(args []eval.Type, _ []*eval.Value, _ bool) (eval.Type, error) {
				if _, err := numericArg(f.name, args); err != nil {
					return eval.Type{}, err
				}
				return eval.Type{Kind: eval.Double}, nil
			},
			New: func(_ []eval.Type, _ []*eval.Value, distinct bool) Accumulator {
				return maybeDistinct(&variance{samp: f.samp, sqrt: f.sqrt}, distinct)
			},
		}
		register(fn)
	}
	// The reference: "STD_DEV is an alias of STDDEV_SAMP".
	alias := *Lookup("STDDEV_SAMP")
	alias.Name = "STD_DEV"
	register(&alias)
}

// variance is VAR_POP, VAR_SAMP, STDDEV_POP and STDDEV_SAMP by the
// reference's formula (S2 - S1*S1/N) / N (or N-1), over values shifted by
// the group's first value so the subtraction does not cancel.
type variance struct {
	samp, sqrt bool
	shift      float64
	s1, s2     ksum
	n          int64
}

func (a *variance) Add(_ int64, args []eval.Value) error {
	if args[0].IsNull() {
		return nil
	}
	x := args[0].Float()
	if a.n == 0 {
		a.shift = x
		if math.IsInf(x, 0) || math.IsNaN(x) {
			a.shift = 0
		}
	}
	a.reshift()
	d := x - a.shift
	a.s1.add(d)
	a.s2.add(d * d)
	a.n++
	return nil
}

// reshift moves the shift to the current mean when the mean has drifted
// away from it (the sums would otherwise grow with the drift and the
// subtraction in Result cancel): with δ the change,
// Σ(x-K-δ) = S1 - nδ and Σ(x-K-δ)² = S2 - 2δS1 + nδ².
func (a *variance) reshift() {
	if a.n == 0 || !a.s1.finite() || !a.s2.finite() {
		return
	}
	n := float64(a.n)
	m := a.s1.sum() / n
	if m*m*2 <= a.s2.sum()/n {
		return
	}
	s1, s2 := a.s1.sum(), a.s2.sum()
	a.s1 = ksum{s: s1 - n*m}
	a.s2 = ksum{s: s2 - 2*m*s1 + n*m*m}
	if a.s2.s < 0 {
		a.s2.s = 0
	}
	a.shift += m
}

func (a *variance) Remove(_ int64, args []eval.Value) error {
	if args[0].IsNull() {
		return nil
	}
	d := args[0].Float() - a.shift
	a.s1.sub(d)
	a.s2.sub(d * d)
	a.n--
	if a.n == 0 {
		*a = variance{samp: a.samp, sqrt: a.sqrt}
	}
	return nil
}

func (a *variance) Result() eval.Value {
	d := a.n
	if a.samp {
		d--
	}
	if a.n == 0 || d == 0 {
		return eval.NullValue
	}
	if !a.s1.finite() || !a.s2.finite() {
		return eval.DoubleValue(math.NaN())
	}
	s1, s2 := a.s1.sum(), a.s2.sum()
	v := (s2 - s1*s1/float64(a.n)) / float64(d)
	if a.n == 1 || v < 64*epsilon*s2/float64(d) { // below the rounding noise of the sums: all values equal
		v = 0
	}
	if a.sqrt {
		v = math.Sqrt(v)
	}
	return eval.DoubleValue(v)
}

func (a *variance) AppendState(b []byte) []byte {
	b = appendF64(b, a.shift)
	b = a.s1.appendState(b)
	b = a.s2.appendState(b)
	return binary.AppendVarint(b, a.n)
}

func (a *variance) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	a.shift = r.f64()
	a.s1.read(&r)
	a.s2.read(&r)
	a.n = r.varint()
	return r.b, r.err
}

const epsilon = 0x1p-52
