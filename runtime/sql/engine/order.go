package engine

import (
	"encoding/binary"
	"errors"
	"sort"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/window"
)

// orderKey is a compiled ORDER BY item over a query's output row.
type orderKey struct {
	ev    eval.Evaluator
	desc  bool
	nulls string
}

// orderState is a streaming ORDER BY's batch: the rows of one value of the
// leading (time) expression, sorted and emitted once it can take no more.
type orderState struct {
	w     window.Window
	valid bool
	times []int64
	rows  []eval.Row
}

// planOrder plans a streaming ORDER BY, as AWS defines it: the leading
// expression must be time-based and monotonic (ROWTIME, FLOOR(s.ROWTIME
// TO MINUTE), STEP(...), a column equal to ROWTIME, or its ordinal); rows
// are gathered while it keeps its value, then sorted by the other items and
// emitted together at the ROWTIME of the batch's latest row (so ROWTIME
// stays ascending).
func (pl *planner) planOrder(items []parser.OrderItem, sel []parser.SelectItem, cols []outCol, src *outlet) ([]outCol, *outlet, error) {
	in, pump := pl.in, pl.pump
	ecols := []eval.Column{{Name: "ROWTIME", Type: eval.Type{Kind: eval.Timestamp, NotNull: true}}}
	times := []bool{true}
	for _, c := range cols {
		ecols = append(ecols, eval.Column{Name: c.name, Type: c.typ})
		times = append(times, c.isTime || c.rowtime)
	}
	scope := pl.scope(ecols)
	pl.timeOf[scope] = times
	// An ORDER BY expression written as a select item is that column
	// (ORDER BY ..., SUM(amount) DESC).
	itemCol := map[string]int{}
	simple := len(sel) == len(cols)
	for _, it := range sel {
		if _, star := it.Expr.(*parser.Star); star {
			simple = false
		}
	}
	if simple {
		for i, it := range sel {
			if _, ok := itemCol[exprKey(it.Expr)]; !ok {
				itemCol[exprKey(it.Expr)] = 1 + i
			}
		}
	}
	scope.Subst = func(e parser.Expr) (int, bool) {
		if i, ok := itemCol[exprKey(e)]; ok {
			if _, isCol := e.(*parser.ColumnRef); !isCol {
				return i, true
			}
		}
		c, ok := e.(*parser.ColumnRef)
		if !ok {
			return 0, false
		}
		if isRowtime(c) {
			return 0, true
		}
		if len(c.Parts) > 1 {
			// s.col: the output column col (the select list's names).
			name := c.Parts[len(c.Parts)-1].Name
			found := -1
			for i := 1; i < len(ecols); i++ {
				if ecols[i].Name == name {
					if found >= 0 {
						return 0, false
					}
					found = i
				}
			}
			if found >= 0 {
				return found, true
			}
		}
		return substColumn(scope, e)
	}
	keys := make([]orderKey, len(items))
	var tk *timeKey
	for i, it := range items {
		k := orderKey{desc: it.Desc, nulls: it.Nulls}
		ordinal := -1
		if v := constValue(it.Expr); v != nil {
			if !v.Kind.IsInteger() || v.I < 1 || v.I > int64(len(cols)) {
				return nil, nil, errAt(it.Expr, "ORDER BY %s: not a column ordinal (1 to %d)", it.Expr, len(cols))
			}
			ordinal = int(v.I)
			k.ev = func(r eval.Row) (eval.Value, error) { return r[ordinal], nil }
		} else {
			ev, _, err := eval.Compile(it.Expr, scope)
			if err != nil {
				return nil, nil, err
			}
			k.ev = ev
		}
		if i == 0 {
			switch {
			case ordinal > 0 && times[ordinal]:
				tk = &timeKey{size: 1}
			case ordinal < 0 && onlyTimeWith(it.Expr, func(c *parser.ColumnRef) (int, bool) {
				if i, ok := scope.Subst(c); ok {
					return i, true
				}
				return resolveIn(scope, c)
			}, times):
				var err error
				if tk, err = pl.compileTimeKey(it.Expr, scope, times); err != nil {
					return nil, nil, err
				}
			default:
				return nil, nil, errAt(it.Expr, "a streaming ORDER BY must lead with a time-based monotonic expression such as ROWTIME or FLOOR(s.ROWTIME TO MINUTE): rows are sorted within each of its values (ORDER BY ROWTIME, %s)", it.Expr)
			}
			if it.Desc {
				return nil, nil, errAt(it.Expr, "the leading expression of a streaming ORDER BY must be ascending: time only moves forward")
			}
		}
		keys[i] = k
	}
	st := &orderState{}
	out := &outlet{}
	rest := keys[1:]
	flush := func() error {
		if !st.valid {
			return nil
		}
		st.valid = false
		rows, ts := st.rows, st.times
		kv := make([][]eval.Value, len(rows))
		idx := make([]int, 0, len(rows))
		for i, r := range rows {
			kv[i] = make([]eval.Value, len(rest))
			bad := false
			for j, k := range rest {
				v, err := k.ev(r)
				if err != nil {
					if err := in.fail(pump, ts[i], ecols, r, err); err != nil {
						return err
					}
					bad = true
					break
				}
				kv[i][j] = v
			}
			if !bad {
				idx = append(idx, i)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool {
			x, y := kv[idx[a]], kv[idx[b]]
			for j, k := range rest {
				if c := compareOrder(x[j], y[j], k); c != 0 {
					return c < 0
				}
			}
			return false
		})
		st.rows, st.times = st.rows[:0], st.times[:0]
		// The batch leaves at its latest row's ROWTIME: ROWTIME stays
		// ascending in the target stream.
		at := ts[len(ts)-1]
		for _, i := range idx {
			rows[i][0] = eval.TimestampMillis(at)
			if err := out.send(at, rows[i]); err != nil {
				return err
			}
		}
		return nil
	}
	src.next = func(t int64, row eval.Row) error {
		w, err := tk.window(t)
		if err != nil {
			return err
		}
		if st.valid && w != st.w {
			if err := flush(); err != nil {
				return err
			}
		}
		st.w, st.valid = w, true
		st.times = append(st.times, t)
		st.rows = append(st.rows, append(eval.Row(nil), row...))
		return nil
	}
	in.stateful = append(in.stateful, st)
	in.advancers = append(in.advancers, func(now int64) error {
		if st.valid && now >= st.w.End {
			return flush()
		}
		return nil
	})
	return cols, out, nil
}

// compareOrder compares two ORDER BY values of key k: NULLs sort first
// ascending and last descending unless NULLS FIRST/LAST says otherwise.
func compareOrder(a, b eval.Value, k orderKey) int {
	an, bn := a.IsNull(), b.IsNull()
	if an || bn {
		if an && bn {
			return 0
		}
		first := !k.desc
		if k.nulls != "" {
			first = k.nulls == "FIRST"
		}
		if an == first {
			return -1
		}
		return 1
	}
	c, err := eval.Compare(a, b)
	if err != nil {
		return 0
	}
	if k.desc {
		return -c
	}
	return c
}

func (s *orderState) appendState(b []byte) []byte {
	if !s.valid {
		return append(b, 0)
	}
	b = append(b, 1)
	b = appendVarint(b, s.w.Start)
	b = appendVarint(b, s.w.End)
	b = binary.AppendUvarint(b, uint64(len(s.rows)))
	for i, r := range s.rows {
		b = appendVarint(b, s.times[i])
		b = binary.AppendUvarint(b, uint64(len(r)))
		for _, v := range r {
			b = agg.AppendValue(b, v)
		}
	}
	return b
}

func (s *orderState) readState(b []byte) ([]byte, error) {
	bad := errors.New("engine: corrupt ORDER BY state")
	if len(b) == 0 || b[0] > 1 {
		return nil, bad
	}
	s.valid, s.rows, s.times = b[0] == 1, s.rows[:0], s.times[:0]
	b = b[1:]
	if !s.valid {
		return b, nil
	}
	var err error
	if s.w.Start, b, err = readVarint(b); err != nil {
		return nil, err
	}
	if s.w.End, b, err = readVarint(b); err != nil {
		return nil, err
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, bad
	}
	b = b[k:]
	for i := uint64(0); i < n; i++ {
		var t int64
		if t, b, err = readVarint(b); err != nil {
			return nil, err
		}
		m, k := binary.Uvarint(b)
		if k <= 0 || m > uint64(len(b)) {
			return nil, bad
		}
		b = b[k:]
		r := make(eval.Row, m)
		for j := range r {
			if r[j], b, err = agg.ReadValue(b); err != nil {
				return nil, err
			}
		}
		s.times = append(s.times, t)
		s.rows = append(s.rows, r)
	}
	return b, nil
}
