package agg

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strings"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Accumulator is the running state of one aggregate call in one group or
// frame. Add/Remove get the call's argument values of one row (COUNT(*) gets
// none) and the row's time (ROWTIME or the event time), which EXP_AVG uses.
//
// An Add that fails (numeric overflow) leaves the state as it was: the row
// is not part of the aggregate, and Remove must not be called for it. A
// Remove that fails (the remaining SUM overflows) still removes the row.
// Accumulators are not safe for concurrent use.
type Accumulator interface {
	Add(t int64, args []eval.Value) error
	// Remove undoes an Add of the same row. Rows leave a sliding frame in
	// the order they were added. Only called when Func.Removable.
	Remove(t int64, args []eval.Value) error
	Result() eval.Value
	// AppendState appends the accumulator's state (for checkpoints);
	// ReadState restores it from the front of b and returns the rest.
	AppendState(b []byte) []byte
	ReadState(b []byte) ([]byte, error)
}

// Func is an aggregate function.
type Func struct {
	Name      string
	Removable bool // Remove is supported
	// Check answers the result type for the argument types; consts has the
	// value of each constant argument (nil where the argument is not constant),
	// e.g. EXP_AVG's half-life interval. distinct is COUNT(DISTINCT x) etc.
	Check func(args []eval.Type, consts []*eval.Value, distinct bool) (eval.Type, error)
	// New makes an accumulator (after Check accepted the arguments).
	New func(args []eval.Type, consts []*eval.Value, distinct bool) Accumulator
	// NewAddOnly, when not nil, makes an accumulator that never sees
	// Remove (tumbling groups, sessions, stagger windows) and so keeps less
	// state than New's (MIN/MAX keep one value instead of a deque). Its
	// state encoding differs from New's.
	NewAddOnly func(args []eval.Type, consts []*eval.Value, distinct bool) Accumulator

	ignoreNulls *Func
}

// IgnoreNulls answers the function called with IGNORE NULLS: FIRST_VALUE
// and LAST_VALUE then skip NULLs (by default they RESPECT NULLS, as the
// reference says); every other aggregate already ignores NULLs and answers
// itself.
func (f *Func) IgnoreNulls() *Func {
	if f.ignoreNulls != nil {
		return f.ignoreNulls
	}
	return f
}

var funcs = map[string]*Func{}

func register(f *Func) {
	funcs[f.Name] = f
}

// Lookup answers the aggregate named name (upper case), or nil.
func Lookup(name string) *Func { return funcs[name] }

// Names answers the names of the aggregate functions Lookup knows.
func Names() []string {
	out := make([]string, 0, len(funcs))
	for n := range funcs {
		out = append(out, n)
	}
	return out
}

// ---- argument checks ----

func oneArg(name string, args []eval.Type) error {
	if len(args) != 1 {
		return fmt.Errorf("%s takes one argument, not %d", name, len(args))
	}
	return nil
}

// numericArg answers the numeric kind of a one-argument aggregate's
// argument; an untyped NULL counts as INTEGER, as in eval's arithmetic.
func numericArg(name string, args []eval.Type) (eval.Type, error) {
	if err := oneArg(name, args); err != nil {
		return eval.Type{}, err
	}
	t := args[0]
	if t.Kind == eval.Null {
		return eval.Type{Kind: eval.Integer}, nil
	}
	if !t.Kind.IsNumeric() {
		return eval.Type{}, fmt.Errorf("%s needs a numeric argument, not %s", name, t)
	}
	t.NotNull = false
	return t, nil
}

func noDistinct(name string, distinct bool) error {
	if distinct {
		return fmt.Errorf("%s does not take DISTINCT", name)
	}
	return nil
}

func overflow(name string, k eval.Kind) error {
	return fmt.Errorf("%w: %s overflows %s", eval.ErrOverflow, name, k)
}

// ---- small numeric helpers ----

// int128 is a two's complement 128-bit integer: exact sums of int64s.
type int128 struct {
	lo uint64
	hi int64
}

func (a *int128) add(x int64) {
	lo, c := bits.Add64(a.lo, uint64(x), 0)
	a.hi += x>>63 + int64(c)
	a.lo = lo
}

func (a *int128) sub(x int64) {
	lo, b := bits.Sub64(a.lo, uint64(x), 0)
	a.hi -= x>>63 + int64(b)
	a.lo = lo
}

// int64 answers a as an int64 and whether it fits.
func (a int128) int64() (int64, bool) {
	return int64(a.lo), a.hi == int64(a.lo)>>63
}

// ksum is a compensated (Neumaier) float64 sum, so adding and later
// removing a large value leaves the small ones exact; infinities and NaNs
// are counted apart so removing them restores a finite sum.
type ksum struct {
	s, c             float64
	pinf, ninf, nans int64
}

func (k *ksum) add(x float64) {
	switch {
	case math.IsNaN(x):
		k.nans++
		return
	case math.IsInf(x, 1):
		k.pinf++
		return
	case math.IsInf(x, -1):
		k.ninf++
		return
	}
	t := k.s + x
	if math.Abs(k.s) >= math.Abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

func (k *ksum) sub(x float64) {
	switch {
	case math.IsNaN(x):
		k.nans--
		return
	case math.IsInf(x, 1):
		k.pinf--
		return
	case math.IsInf(x, -1):
		k.ninf--
		return
	}
	k.add(-x)
}

func (k *ksum) sum() float64 {
	switch {
	case k.nans > 0 || k.pinf > 0 && k.ninf > 0:
		return math.NaN()
	case k.pinf > 0:
		return math.Inf(1)
	case k.ninf > 0:
		return math.Inf(-1)
	}
	return k.s + k.c
}

func (k *ksum) finite() bool { return k.nans == 0 && k.pinf == 0 && k.ninf == 0 }

func (k *ksum) appendState(b []byte) []byte {
	b = appendF64(b, k.s)
	b = appendF64(b, k.c)
	b = binary.AppendVarint(b, k.pinf)
	b = binary.AppendVarint(b, k.ninf)
	return binary.AppendVarint(b, k.nans)
}

func (k *ksum) read(r *reader) {
	k.s, k.c = r.f64(), r.f64()
	k.pinf, k.ninf, k.nans = r.varint(), r.varint(), r.varint()
}

// compare orders two non-NULL values of one aggregate argument (so of one
// static type); the common kinds avoid eval.Compare's general path.
func compare(a, b eval.Value) int {
	if a.Kind == b.Kind {
		switch a.Kind {
		case eval.Boolean, eval.TinyInt, eval.SmallInt, eval.Integer, eval.BigInt,
			eval.Date, eval.Time, eval.Timestamp, eval.IntervalDayTime, eval.IntervalYearMonth:
			return cmpInt(a.I, b.I)
		case eval.Real, eval.Double:
			switch {
			case a.F < b.F:
				return -1
			case a.F > b.F:
				return 1
			}
			return 0
		case eval.Varchar, eval.Varbinary:
			return strings.Compare(a.S, b.S)
		case eval.Decimal:
			if a.Aux == b.Aux {
				return cmpInt(a.I, b.I)
			}
		}
	}
	c, _ := eval.Compare(a, b)
	return c
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ring is a FIFO/deque over a power-of-two circular buffer: pushes and
// pops allocate only when it grows.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (q *ring[T]) len() int { return q.n }

func (q *ring[T]) at(i int) *T { return &q.buf[(q.head+i)&(len(q.buf)-1)] }

func (q *ring[T]) front() *T { return q.at(0) }

func (q *ring[T]) back() *T { return q.at(q.n - 1) }

func (q *ring[T]) push(x T) {
	if q.n == len(q.buf) {
		nb := make([]T, max(8, 2*len(q.buf)))
		for i := range q.n {
			nb[i] = *q.at(i)
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = x
	q.n++
}

func (q *ring[T]) popFront() {
	var zero T
	*q.at(0) = zero
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
}

func (q *ring[T]) popBack() {
	var zero T
	*q.at(q.n - 1) = zero
	q.n--
}

func (q *ring[T]) reset() {
	clear(q.buf)
	q.head, q.n = 0, 0
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
