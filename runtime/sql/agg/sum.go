package agg

import (
	"encoding/binary"
	"math/big"
	"math/bits"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

func init() {
	register(&Func{Name: "COUNT", Removable: true,
		Check: func(args []eval.Type, _ []*eval.Value, distinct bool) (eval.Type, error) {
			if len(args) > 1 {
				return eval.Type{}, errorf("COUNT takes * or one argument, not %d", len(args))
			}
			if distinct && len(args) == 0 {
				return eval.Type{}, errorf("COUNT(DISTINCT *) is not valid")
			}
			return eval.Type{Kind: eval.BigInt, NotNull: true}, nil
		},
		New: func(args []eval.Type, _ []*eval.Value, distinct bool) Accumulator {
			c := &countAcc{star: len(args) == 0}
			if distinct {
				return newDistinct(c)
			}
			return c
		},
	})
	register(&Func{Name: "SUM", Removable: true,
		Check: func(args []eval.Type, _ []*eval.Value, _ bool) (eval.Type, error) {
			t, err := numericArg("SUM", args)
			if err != nil {
				return t, err
			}
			switch {
			case t.Kind.IsInteger():
				return eval.Type{Kind: eval.BigInt}, nil
			case t.Kind == eval.Decimal:
				return eval.Type{Kind: eval.Decimal, Len: 18, Scale: t.Scale}, nil
			}
			return eval.Type{Kind: t.Kind}, nil
		},
		New: func(args []eval.Type, _ []*eval.Value, distinct bool) Accumulator {
			t, _ := numericArg("SUM", args)
			return maybeDistinct(newSum(t, false), distinct)
		},
	})
	register(&Func{Name: "AVG", Removable: true,
		Check: func(args []eval.Type, _ []*eval.Value, _ bool) (eval.Type, error) {
			t, err := numericArg("AVG", args)
			if err != nil {
				return t, err
			}
			if t.Kind == eval.Decimal {
				return eval.Type{Kind: eval.Decimal, Len: 18, Scale: t.Scale}, nil
			}
			return eval.Type{Kind: t.Kind}, nil
		},
		New: func(args []eval.Type, _ []*eval.Value, distinct bool) Accumulator {
			t, _ := numericArg("AVG", args)
			return maybeDistinct(newSum(t, true), distinct)
		},
	})
}

func maybeDistinct(a Accumulator, distinct bool) Accumulator {
	if distinct {
		return newDistinct(a)
	}
	return a
}

// countAcc is COUNT(*) (every row) or COUNT(x) (rows where x is not NULL).
type countAcc struct {
	star bool
	n    int64
}

func (c *countAcc) Add(_ int64, args []eval.Value) error {
	if c.star || !args[0].IsNull() {
		c.n++
	}
	return nil
}

func (c *countAcc) Remove(_ int64, args []eval.Value) error {
	if c.star || !args[0].IsNull() {
		c.n--
	}
	return nil
}

func (c *countAcc) Result() eval.Value { return eval.BigIntValue(c.n) }

func (c *countAcc) AppendState(b []byte) []byte { return binary.AppendVarint(b, c.n) }

func (c *countAcc) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	c.n = r.varint()
	return r.b, r.err
}

func newSum(t eval.Type, avg bool) Accumulator {
	switch t.Kind {
	case eval.Real, eval.Double:
		return &floatSum{kind: t.Kind, avg: avg}
	case eval.Decimal:
		return &exactSum{argKind: eval.Decimal, scale: int8(t.Scale), avg: avg}
	}
	return &exactSum{argKind: t.Kind, avg: avg}
}

// maxDecimal is the largest unscaled DECIMAL (18 digits).
const maxDecimal = 999999999999999999

// exactSum is SUM and AVG of integers and DECIMALs: an exact 128-bit sum
// of the (unscaled) values, and their count.
type exactSum struct {
	argKind eval.Kind
	scale   int8
	avg     bool
	s       int128
	n       int64
}

func (a *exactSum) name() string {
	if a.avg {
		return "AVG"
	}
	return "SUM"
}

// unscaled answers v's unscaled value at the accumulator's scale.
func (a *exactSum) unscaled(v eval.Value) (int64, error) {
	if a.argKind != eval.Decimal || v.Kind != eval.Decimal || v.Aux == a.scale {
		if a.argKind == eval.Decimal && v.Kind != eval.Decimal {
			return rescale(v.I, 0, a.scale)
		}
		return v.I, nil
	}
	return rescale(v.I, v.Aux, a.scale)
}

// rescale converts an unscaled value from scale from to scale to (rounding
// half away from zero when it drops digits).
func rescale(x int64, from, to int8) (int64, error) {
	for ; from < to; from++ {
		if x > maxDecimal/10 || x < -maxDecimal/10 {
			return 0, overflow("DECIMAL", eval.Decimal)
		}
		x *= 10
	}
	for ; from > to; from-- {
		q, r := x/10, x%10
		if from == to+1 {
			if r >= 5 {
				q++
			} else if r <= -5 {
				q--
			}
		}
		x = q
	}
	return x, nil
}

func (a *exactSum) fits() bool {
	if a.avg { // the average of int64s fits; 128 bits hold the sum of 2^63 of them
		return true
	}
	s, ok := a.s.int64()
	if !ok {
		return false
	}
	if a.argKind == eval.Decimal {
		return s >= -maxDecimal && s <= maxDecimal
	}
	return true
}

func (a *exactSum) resultKind() eval.Kind {
	switch {
	case a.argKind == eval.Decimal:
		return eval.Decimal
	case a.avg:
		return a.argKind
	}
	return eval.BigInt
}

func (a *exactSum) Add(_ int64, args []eval.Value) error {
	v := &args[0]
	if v.Kind == eval.Null {
		return nil
	}
	x := v.I
	if a.argKind == eval.Decimal {
		var err error
		if x, err = a.unscaled(*v); err != nil {
			return err
		}
	}
	lo, c := bits.Add64(a.s.lo, uint64(x), 0)
	next := int128{lo: lo, hi: a.s.hi + x>>63 + int64(c)}
	if !a.avg {
		s, ok := next.int64()
		if !ok || a.argKind == eval.Decimal && (s > maxDecimal || s < -maxDecimal) {
			return overflow(a.name(), a.resultKind())
		}
	}
	a.s = next
	a.n++
	return nil
}

func (a *exactSum) Remove(_ int64, args []eval.Value) error {
	v := args[0]
	if v.IsNull() {
		return nil
	}
	x, err := a.unscaled(v)
	if err != nil {
		return err
	}
	a.s.sub(x)
	a.n--
	if a.n == 0 {
		a.s = int128{}
	}
	if !a.fits() {
		return overflow(a.name(), a.resultKind())
	}
	return nil
}

func (a *exactSum) Result() eval.Value {
	if a.n <= 0 {
		return eval.NullValue
	}
	s, ok := a.s.int64()
	k := a.resultKind()
	if a.avg {
		if !ok {
			return a.bigAvg(k)
		}
		q, r := s/a.n, s%a.n
		if k == eval.Decimal { // round half away from zero; integers truncate as eval's "/" does
			if r < 0 {
				r = -r
			}
			if uint64(r)*2 >= uint64(a.n) {
				if s < 0 {
					q--
				} else {
					q++
				}
			}
		}
		s = q
	}
	if k == eval.Decimal {
		return eval.DecimalValue(s, a.scale)
	}
	return eval.Value{Kind: k, I: s}
}

// bigAvg is Result for an average whose sum does not fit 64 bits.
func (a *exactSum) bigAvg(k eval.Kind) eval.Value {
	s := new(big.Int).Lsh(big.NewInt(a.s.hi), 64)
	s.Or(s, new(big.Int).SetUint64(a.s.lo))
	n := big.NewInt(a.n)
	q, r := new(big.Int).QuoRem(s, n, new(big.Int))
	if k == eval.Decimal && new(big.Int).Lsh(r.Abs(r), 1).Cmp(n) >= 0 {
		q.Add(q, big.NewInt(int64(s.Sign())))
	}
	if k == eval.Decimal {
		return eval.DecimalValue(q.Int64(), a.scale)
	}
	return eval.Value{Kind: k, I: q.Int64()}
}

func (a *exactSum) AppendState(b []byte) []byte {
	b = binary.AppendUvarint(b, a.s.lo)
	b = binary.AppendVarint(b, a.s.hi)
	return binary.AppendVarint(b, a.n)
}

func (a *exactSum) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	a.s.lo, a.s.hi = r.uvarint(), r.varint()
	a.n = r.varint()
	return r.b, r.err
}

// floatSum is SUM and AVG of REAL and DOUBLE: a compensated sum and a count.
type floatSum struct {
	kind eval.Kind
	avg  bool
	s    ksum
	n    int64
}

func (a *floatSum) Add(_ int64, args []eval.Value) error {
	v := args[0]
	if v.IsNull() {
		return nil
	}
	a.s.add(v.Float())
	a.n++
	return nil
}

func (a *floatSum) Remove(_ int64, args []eval.Value) error {
	v := args[0]
	if v.IsNull() {
		return nil
	}
	a.s.sub(v.Float())
	a.n--
	if a.n == 0 {
		a.s = ksum{}
	}
	return nil
}

func (a *floatSum) Result() eval.Value {
	if a.n <= 0 {
		return eval.NullValue
	}
	f := a.s.sum()
	if a.avg {
		f /= float64(a.n)
	}
	if a.kind == eval.Real {
		return eval.RealValue(f)
	}
	return eval.DoubleValue(f)
}

func (a *floatSum) AppendState(b []byte) []byte {
	b = a.s.appendState(b)
	return binary.AppendVarint(b, a.n)
}

func (a *floatSum) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	a.s.read(&r)
	a.n = r.varint()
	return r.b, r.err
}
