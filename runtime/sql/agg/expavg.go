package agg

import (
	"encoding/binary"
	"math"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

func init() {
	register(&Func{Name: "EXP_AVG", Removable: true,
		Check: func(args []eval.Type, consts []*eval.Value, distinct bool) (eval.Type, error) {
			if len(args) != 2 {
				return eval.Type{}, errorf("EXP_AVG takes two arguments (expression, time interval), not %d", len(args))
			}
			if err := noDistinct("EXP_AVG", distinct); err != nil {
				return eval.Type{}, err
			}
			if _, err := numericArg("EXP_AVG", args[:1]); err != nil {
				return eval.Type{}, err
			}
			if _, err := halfLife(args, consts); err != nil {
				return eval.Type{}, err
			}
			return eval.Type{Kind: eval.Double}, nil
		},
		New: func(args []eval.Type, consts []*eval.Value, _ bool) Accumulator {
			h, _ := halfLife(args, consts)
			return &expAvg{half: float64(h)}
		},
	})
}

// halfLife answers EXP_AVG's second argument, a constant positive day-time
// interval, in milliseconds.
func halfLife(args []eval.Type, consts []*eval.Value) (int64, error) {
	if args[1].Kind != eval.IntervalDayTime || len(consts) < 2 || consts[1] == nil {
		return 0, errorf("EXP_AVG's second argument must be a constant day-time interval, such as INTERVAL '10' SECOND")
	}
	if h := consts[1].I; h > 0 {
		return h, nil
	}
	return 0, errorf("EXP_AVG's time interval must be positive")
}

// rebase is how many half-lives a row may be newer than the reference
// time before the sums are rescaled to a newer reference.
const rebase = 32

// expAvg is EXP_AVG(x, h): the average of the values weighted by
// 2^((t-ref)/h), so a value h newer weighs twice as much (h is the
// half-life, as the reference says). The weighted sums are kept relative
// to a reference time that moves forward as rows come, so neither weights
// nor sums overflow; Remove subtracts a row's weighted value again.
type expAvg struct {
	half float64
	ref  int64
	s, w ksum
	n    int64
}

func (a *expAvg) weight(t int64) float64 { return math.Exp2(float64(t-a.ref) / a.half) }

func (a *expAvg) Add(t int64, args []eval.Value) error {
	if args[0].IsNull() {
		return nil
	}
	if a.n == 0 {
		a.ref = t
	} else if float64(t-a.ref) > rebase*a.half {
		f := 1 / a.weight(t)
		a.s.s, a.s.c, a.w.s, a.w.c = a.s.s*f, a.s.c*f, a.w.s*f, a.w.c*f
		a.ref = t
	}
	w := a.weight(t)
	a.s.add(w * args[0].Float())
	a.w.add(w)
	a.n++
	return nil
}

func (a *expAvg) Remove(t int64, args []eval.Value) error {
	if args[0].IsNull() {
		return nil
	}
	w := a.weight(t)
	a.s.sub(w * args[0].Float())
	a.w.sub(w)
	a.n--
	if a.n == 0 {
		*a = expAvg{half: a.half}
	}
	return nil
}

func (a *expAvg) Result() eval.Value {
	if a.n <= 0 {
		return eval.NullValue
	}
	return eval.DoubleValue(a.s.sum() / a.w.sum())
}

func (a *expAvg) AppendState(b []byte) []byte {
	b = binary.AppendVarint(b, a.ref)
	b = a.s.appendState(b)
	b = a.w.appendState(b)
	return binary.AppendVarint(b, a.n)
}

func (a *expAvg) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	a.ref = r.varint()
	a.s.read(&r)
	a.w.read(&r)
	a.n = r.varint()
	return r.b, r.err
}
