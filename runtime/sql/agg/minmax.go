package agg

import (
	"encoding/binary"

	"github.com/kinesin/kinesin/runtime/sql/eval"
)

func init() {
	for _, name := range []string{"MIN", "MAX"} {
		sign := 1 // MIN keeps the least value: drop queued values greater than or equal to a new one
		if name == "MAX" {
			sign = -1
		}
		register(&Func{Name: name, Removable: true,
			Check: func(args []eval.Type, _ []*eval.Value, _ bool) (eval.Type, error) {
				if err := oneArg(name, args); err != nil {
					return eval.Type{}, err
				}
				t := args[0]
				t.NotNull = false
				return t, nil
			},
			// DISTINCT changes neither MIN nor MAX.
			New: func([]eval.Type, []*eval.Value, bool) Accumulator {
				return &extremeDeque{sign: sign}
			},
			NewAddOnly: func([]eval.Type, []*eval.Value, bool) Accumulator {
				return &extreme{sign: sign}
			},
		})
	}
	for _, name := range []string{"FIRST_VALUE", "LAST_VALUE"} {
		first := name == "FIRST_VALUE"
		check := func(args []eval.Type, _ []*eval.Value, distinct bool) (eval.Type, error) {
			if err := oneArg(name, args); err != nil {
				return eval.Type{}, err
			}
			if err := noDistinct(name, distinct); err != nil {
				return eval.Type{}, err
			}
			t := args[0]
			t.NotNull = false
			return t, nil
		}
		mk := func(ignore bool) *Func {
			f := &Func{Name: name, Removable: true, Check: check}
			if first {
				f.New = func([]eval.Type, []*eval.Value, bool) Accumulator { return &firstQueue{ignore: ignore} }
				f.NewAddOnly = func([]eval.Type, []*eval.Value, bool) Accumulator { return &firstOnce{ignore: ignore} }
			} else {
				f.New = func([]eval.Type, []*eval.Value, bool) Accumulator { return &lastValue{ignore: ignore} }
			}
			return f
		}
		f := mk(false)
		f.ignoreNulls = mk(true)
		register(f)
	}
}

// seqValue is a value and the number of the Add that brought it.
type seqValue struct {
	seq int64
	v   eval.Value
}

// extremeDeque is a removable MIN (sign 1) or MAX (sign -1): the classic
// monotonic deque. Rows leave in the order they came, so a value that a
// later, better-or-equal value follows can never be the answer again and is
// dropped; the front is the answer and leaves when its row does. Add and
// Remove are O(1) amortised.
type extremeDeque struct {
	sign       int
	q          ring[seqValue]
	adds, rems int64
}

func (m *extremeDeque) Add(_ int64, args []eval.Value) error {
	m.adds++
	v := args[0]
	if v.IsNull() {
		return nil
	}
	for m.q.len() > 0 && m.sign*compare(m.q.back().v, v) >= 0 {
		m.q.popBack()
	}
	m.q.push(seqValue{m.adds, v})
	return nil
}

func (m *extremeDeque) Remove(int64, []eval.Value) error {
	m.rems++
	for m.q.len() > 0 && m.q.front().seq <= m.rems {
		m.q.popFront()
	}
	if m.rems == m.adds { // empty: restart the numbering
		m.rems, m.adds = 0, 0
	}
	return nil
}

func (m *extremeDeque) Result() eval.Value {
	if m.q.len() == 0 {
		return eval.NullValue
	}
	return m.q.front().v
}

func (m *extremeDeque) AppendState(b []byte) []byte { return appendSeqQueue(b, m.adds, m.rems, &m.q) }

func (m *extremeDeque) ReadState(b []byte) ([]byte, error) {
	return readSeqQueue(b, &m.adds, &m.rems, &m.q)
}

func appendSeqQueue(b []byte, adds, rems int64, q *ring[seqValue]) []byte {
	b = binary.AppendVarint(b, adds)
	b = binary.AppendVarint(b, rems)
	b = binary.AppendUvarint(b, uint64(q.len()))
	for i := range q.len() {
		e := q.at(i)
		b = binary.AppendVarint(b, e.seq)
		b = AppendValue(b, e.v)
	}
	return b
}

func readSeqQueue(b []byte, adds, rems *int64, q *ring[seqValue]) ([]byte, error) {
	r := reader{b: b}
	*adds, *rems = r.varint(), r.varint()
	n := r.count(2)
	q.reset()
	for range n {
		seq := r.varint()
		v := r.value()
		if r.err != nil {
			break
		}
		q.push(seqValue{seq, v})
	}
	return r.b, r.err
}

// extreme is an add-only MIN or MAX: the best value so far.
type extreme struct {
	sign int
	v    eval.Value
}

func (m *extreme) Add(_ int64, args []eval.Value) error {
	v := args[0]
	if !v.IsNull() && (m.v.IsNull() || m.sign*compare(m.v, v) > 0) {
		m.v = v
	}
	return nil
}

func (m *extreme) Remove(int64, []eval.Value) error {
	return errorf("agg: MIN/MAX made by NewAddOnly cannot remove rows")
}

func (m *extreme) Result() eval.Value { return m.v }

func (m *extreme) AppendState(b []byte) []byte { return AppendValue(b, m.v) }

func (m *extreme) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	m.v = r.value()
	return r.b, r.err
}

// firstQueue is a removable FIRST_VALUE: the queue of the frame's values
// (only the non-NULL ones, numbered, under IGNORE NULLS); the answer is
// the front.
type firstQueue struct {
	ignore     bool
	q          ring[seqValue]
	adds, rems int64
}

func (f *firstQueue) Add(_ int64, args []eval.Value) error {
	f.adds++
	if f.ignore && args[0].IsNull() {
		return nil
	}
	f.q.push(seqValue{f.adds, args[0]})
	return nil
}

func (f *firstQueue) Remove(int64, []eval.Value) error {
	f.rems++
	for f.q.len() > 0 && f.q.front().seq <= f.rems {
		f.q.popFront()
	}
	if f.rems == f.adds {
		f.rems, f.adds = 0, 0
	}
	return nil
}

func (f *firstQueue) Result() eval.Value {
	if f.q.len() == 0 {
		return eval.NullValue
	}
	return f.q.front().v
}

func (f *firstQueue) AppendState(b []byte) []byte { return appendSeqQueue(b, f.adds, f.rems, &f.q) }

func (f *firstQueue) ReadState(b []byte) ([]byte, error) {
	return readSeqQueue(b, &f.adds, &f.rems, &f.q)
}

// firstOnce is an add-only FIRST_VALUE.
type firstOnce struct {
	ignore bool
	has    bool
	v      eval.Value
}

func (f *firstOnce) Add(_ int64, args []eval.Value) error {
	if !f.has && !(f.ignore && args[0].IsNull()) {
		f.v, f.has = args[0], true
	}
	return nil
}

func (f *firstOnce) Remove(int64, []eval.Value) error {
	return errorf("agg: FIRST_VALUE made by NewAddOnly cannot remove rows")
}

func (f *firstOnce) Result() eval.Value { return f.v }

func (f *firstOnce) AppendState(b []byte) []byte {
	return AppendValue(appendBool(b, f.has), f.v)
}

func (f *firstOnce) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	f.has = r.bool()
	f.v = r.value()
	return r.b, r.err
}

// lastValue is LAST_VALUE, removable in O(1) state: rows leave oldest
// first, so the newest (non-NULL) row is the answer until it leaves, and
// then the frame has no (non-NULL) rows left.
type lastValue struct {
	ignore     bool
	v          eval.Value
	seq        int64 // the Add that brought v; 0 when none
	adds, rems int64
}

func (l *lastValue) Add(_ int64, args []eval.Value) error {
	l.adds++
	if l.ignore && args[0].IsNull() {
		return nil
	}
	l.v, l.seq = args[0], l.adds
	return nil
}

func (l *lastValue) Remove(int64, []eval.Value) error {
	l.rems++
	if l.seq != 0 && l.seq <= l.rems {
		l.v, l.seq = eval.NullValue, 0
	}
	if l.rems == l.adds {
		l.rems, l.adds = 0, 0
	}
	return nil
}

func (l *lastValue) Result() eval.Value {
	if l.seq == 0 {
		return eval.NullValue
	}
	return l.v
}

func (l *lastValue) AppendState(b []byte) []byte {
	b = AppendValue(b, l.v)
	b = binary.AppendVarint(b, l.seq)
	b = binary.AppendVarint(b, l.adds)
	return binary.AppendVarint(b, l.rems)
}

func (l *lastValue) ReadState(b []byte) ([]byte, error) {
	r := reader{b: b}
	l.v = r.value()
	l.seq, l.adds, l.rems = r.varint(), r.varint(), r.varint()
	return r.b, r.err
}
