package engine

import (
	"fmt"
	"math"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/window"
)

// conjuncts splits an AND tree.
func conjuncts(e parser.Expr, out []parser.Expr) []parser.Expr {
	if b, ok := e.(*parser.Binary); ok && b.Op == "AND" {
		return conjuncts(b.R, conjuncts(b.L, out))
	}
	return append(out, e)
}

func compiles(e parser.Expr, s *eval.Scope) bool {
	_, _, err := eval.Compile(e, s)
	return err == nil
}

// joinRange answers the time range of a side's OVER (RANGE INTERVAL ... PRECEDING); 0 without OVER.
func (pl *planner) joinRange(over *parser.WindowSpec, at parser.Node) (int64, error) {
	if over == nil {
		return 0, nil
	}
	spec, err := resolveWindow(over, pl.windows, at)
	if err != nil {
		return 0, err
	}
	if spec.Frame == nil || spec.Frame.Unit != "RANGE" || len(spec.PartitionBy) > 0 {
		return 0, errAt(at, "a joined stream's window must be OVER (RANGE INTERVAL ... PRECEDING)")
	}
	ms, rows, err := frameOf(spec, at)
	if err != nil {
		return 0, err
	}
	if rows >= 0 {
		return 0, errAt(at, "a joined stream's window must be a RANGE, not ROWS")
	}
	return ms, nil
}

// planJoin plans stream-to-stream joins (each side keeps its rows for its
// OVER range; a side without OVER keeps only rows of the same ROWTIME) and
// stream-to-reference-table joins (a hash lookup on equi-join keys, a scan
// otherwise).
func (pl *planner) planJoin(j *parser.Join) (*source, error) {
	L, err := pl.planFrom(j.L)
	if err != nil {
		return nil, err
	}
	R, err := pl.planFrom(j.R)
	if err != nil {
		return nil, err
	}
	// A window table function joined directly: its rows, one per window
	// holding the row, with WINDOW_START, WINDOW_END and WINDOW_TIME.
	for _, s := range []*source{L, R} {
		if s.tvf == nil {
			continue
		}
		if err := expandable(s, j); err != nil {
			return nil, err
		}
		out := &outlet{}
		s.out.next = pl.expandTVF(s, out.send)
		s.out, s.tvf = out, nil
	}
	if L.ref != nil && R.ref != nil {
		return nil, errAt(j, "a join needs a stream on one side")
	}
	hide := func(cols []eval.Column) []eval.Column {
		cols = append([]eval.Column(nil), cols...)
		if cols[0].Qualifier == "" && cols[0].Name == "ROWTIME" {
			cols[0].Name = ""
		}
		return cols
	}
	lcols, rcols := hide(L.cols), hide(R.cols)
	cols := []eval.Column{{Name: "ROWTIME", Type: eval.Type{Kind: eval.Timestamp, NotNull: true}}}
	cols = append(cols, lcols...)
	cols = append(cols, rcols...)
	for i := len(cols) - len(rcols); i < len(cols) && (j.Kind == parser.JoinLeft || j.Kind == parser.JoinFull); i++ {
		cols[i].Type.NotNull = false
	}
	for i := 1; i < 1+len(lcols) && (j.Kind == parser.JoinRight || j.Kind == parser.JoinFull); i++ {
		cols[i].Type.NotNull = false
	}
	scope := pl.scope(cols)
	var on eval.Evaluator
	var lkeys, rkeys []eval.Evaluator
	if j.Natural || j.Using != nil {
		// USING (c, ...) / NATURAL: equality of the same-named columns.
		var names []string
		if j.Natural {
			for _, lc := range lcols[1:] {
				for _, rc := range rcols[1:] {
					if lc.Name != "" && lc.Name == rc.Name {
						names = append(names, lc.Name)
					}
				}
			}
		} else {
			for _, u := range j.Using {
				names = append(names, u.Name)
			}
		}
		find := func(cols []eval.Column, name string) int {
			at := -1
			for i, c := range cols {
				if i > 0 && c.Name == name {
					if at >= 0 {
						return -2
					}
					at = i
				}
			}
			return at
		}
		var pairs [][2]int
		for _, n := range names {
			li, ri := find(lcols, n), find(rcols, n)
			if li < 0 || ri < 0 {
				return nil, errAt(j, "USING column %s must be in both joined streams once", n)
			}
			lkeys = append(lkeys, func(r eval.Row) (eval.Value, error) { return r[li], nil })
			rkeys = append(rkeys, func(r eval.Row) (eval.Value, error) { return r[ri], nil })
			pairs = append(pairs, [2]int{1 + li, 1 + len(lcols) + ri})
		}
		on = func(r eval.Row) (eval.Value, error) {
			for _, p := range pairs {
				a, b := r[p[0]], r[p[1]]
				if a.IsNull() || b.IsNull() {
					return eval.NullValue, nil
				}
				if c, err := eval.Compare(a, b); err != nil || c != 0 {
					return eval.Bool(false), err
				}
			}
			return eval.Bool(true), nil
		}
	}
	if j.On != nil {
		ev, t, err := eval.Compile(j.On, scope)
		if err != nil {
			return nil, err
		}
		if t.Kind != eval.Boolean && t.Kind != eval.Null {
			return nil, errAt(j.On, "ON needs a BOOLEAN condition, not %s", t)
		}
		on = ev
		ls, rs := pl.scope(lcols), pl.scope(rcols)
		for _, c := range conjuncts(j.On, nil) {
			b, ok := c.(*parser.Binary)
			if !ok || b.Op != "=" {
				continue
			}
			a, z := b.L, b.R
			if !(compiles(a, ls) && compiles(z, rs)) {
				a, z = z, a
				if !(compiles(a, ls) && compiles(z, rs)) {
					continue
				}
			}
			if compiles(a, rs) || compiles(z, ls) {
				continue // ambiguous: a name both sides have
			}
			le, _, _ := eval.Compile(a, ls)
			re, _, _ := eval.Compile(z, rs)
			lkeys, rkeys = append(lkeys, le), append(rkeys, re)
		}
	}
	switch j.Kind {
	case parser.JoinInner, parser.JoinLeft, parser.JoinCross, parser.JoinComma:
	case parser.JoinRight, parser.JoinFull:
		if L.ref != nil || R.ref != nil {
			return nil, errAt(j, "%s with a reference table is not supported; put the stream on the left of a LEFT JOIN", j.Kind)
		}
	default:
		return nil, errAt(j, "%s is not supported on streams", j.Kind)
	}
	out := &outlet{}
	src := &source{cols: cols, out: out}
	comb := make(eval.Row, len(cols))
	nl := len(lcols)
	emit := func(t int64, lrow, rrow eval.Row) (bool, error) {
		comb[0] = eval.TimestampMillis(t)
		copy(comb[1:], lrow)
		if rrow == nil {
			for i := 1 + nl; i < len(comb); i++ {
				comb[i] = eval.NullValue
			}
		} else {
			copy(comb[1+nl:], rrow)
		}
		if on != nil && rrow != nil && lrow != nil {
			v, err := on(comb)
			if err != nil {
				return false, err
			}
			if v.IsNull() || !v.Bool() {
				return false, nil
			}
		}
		return true, out.send(t, comb)
	}
	var kb []byte
	keyVals := make([]eval.Value, len(lkeys))
	keyOf := func(evs []eval.Evaluator, row eval.Row) (window.Key, bool, error) {
		for i, ev := range evs {
			v, err := ev(row)
			if err != nil {
				return "", false, err
			}
			if v.IsNull() {
				return "", false, nil // NULL never equals
			}
			keyVals[i] = v
		}
		kb = window.AppendKey(kb[:0], keyVals[:len(evs)])
		return window.Key(kb), true, nil
	}
	// Stream to reference table.
	if L.ref != nil || R.ref != nil {
		streamSide, tbl, keysS, keysT, streamLeft := L, R.ref, lkeys, rkeys, true
		if L.ref != nil {
			streamSide, tbl, keysS, keysT, streamLeft = R, L.ref, rkeys, lkeys, false
		}
		hash := map[window.Key][]eval.Row{}
		for _, row := range tbl.rows {
			if len(keysT) == 0 {
				hash[""] = append(hash[""], row)
				continue
			}
			k, ok, err := keyOf(keysT, row)
			if err != nil {
				return nil, errAt(j, "reference table %s: %v", tbl.name, err)
			}
			if ok {
				hash[k] = append(hash[k], row)
			}
		}
		outer := j.Kind == parser.JoinLeft && streamLeft
		streamSide.out.next = func(t int64, row eval.Row) error {
			var k window.Key
			ok := true
			if len(keysS) > 0 {
				var err error
				if k, ok, err = keyOf(keysS, row); err != nil {
					return err
				}
			}
			matched := false
			if ok {
				for _, tr := range hash[k] {
					var hit bool
					var err error
					if streamLeft {
						hit, err = emit(t, row, tr)
					} else {
						hit, err = emit(t, tr, row)
					}
					if err != nil {
						return err
					}
					matched = matched || hit
				}
			}
			if !matched && outer {
				_, err := emit(t, row, nil)
				return err
			}
			return nil
		}
		return src, nil
	}
	// Stream to stream.
	lr, err := pl.joinRange(L.over, j.L)
	if err != nil {
		return nil, err
	}
	rr, err := pl.joinRange(R.over, j.R)
	if err != nil {
		return nil, err
	}
	lbuf, rbuf := window.NewJoinBuffer(lr), window.NewJoinBuffer(rr)
	// Each side's rows are kept until neither side can match them: future
	// rows of a side come at or after its latest ROWTIME, so rows older
	// than min(latest left, latest right) - range can go.
	var maxT [2]int64
	maxT[0], maxT[1] = math.MinInt64, math.MinInt64
	evict := func(side int, t int64) {
		if t > maxT[side] {
			maxT[side] = t
		}
		low := min(maxT[0], maxT[1])
		if low == math.MinInt64 {
			return
		}
		lbuf.Evict(subSat(low, lr))
		rbuf.Evict(subSat(low, rr))
	}
	pump := pl.pump
	side := func(mine, other *window.JoinBuffer, keys []eval.Evaluator, left bool, outer bool, scols []eval.Column) func(t int64, row eval.Row) error {
		return func(t int64, row eval.Row) error {
			// A row older than both sides' latest ROWTIME may have lost
			// rows it matches (they were dropped): it is late, not the
			// source of a partial (or NULL-padded) result.
			if low := min(maxT[0], maxT[1]); low != math.MinInt64 && t < low {
				return pl.in.failNamed(pump, "LATE_ROW", t, scols, row,
					fmt.Errorf("late row: ROWTIME %s is behind both joined streams (%s); the rows it could match have been dropped",
						eval.TimestampMillis(t), eval.TimestampMillis(low)))
			}
			var k window.Key
			ok := true
			if len(keys) > 0 {
				var err error
				if k, ok, err = keyOf(keys, row); err != nil {
					return err
				}
			}
			matched := false
			if ok {
				err := other.Match(k, t, func(orow eval.Row, _ int64) error {
					var hit bool
					var err error
					if left {
						hit, err = emit(t, row, orow)
					} else {
						hit, err = emit(t, orow, row)
					}
					matched = matched || hit
					return err
				})
				if err != nil {
					return err
				}
			}
			if !matched && outer {
				var err error
				if left {
					_, err = emit(t, row, nil)
				} else {
					comb[0] = eval.TimestampMillis(t)
					for i := 1; i <= nl; i++ {
						comb[i] = eval.NullValue
					}
					copy(comb[1+nl:], row)
					err = out.send(t, comb)
				}
				if err != nil {
					return err
				}
			}
			if ok {
				mine.Add(k, t, row)
			}
			if left {
				evict(0, t)
			} else {
				evict(1, t)
			}
			return nil
		}
	}
	if L.input || R.input {
		// A side that is an input stream gets no rows older than the
		// clock Advance is given: when it is idle, the other side's rows
		// are held only for the range, against that clock.
		lin, rin := L.input, R.input
		pl.in.advancers = append(pl.in.advancers, func(now int64) error {
			if lin && now > maxT[0] {
				maxT[0] = now
			}
			if rin && now > maxT[1] {
				maxT[1] = now
			}
			if low := min(maxT[0], maxT[1]); low != math.MinInt64 {
				lbuf.Evict(subSat(low, lr))
				rbuf.Evict(subSat(low, rr))
			}
			return nil
		})
	}
	full := j.Kind == parser.JoinFull
	L.out.next = side(lbuf, rbuf, lkeys, true, j.Kind == parser.JoinLeft || full, L.cols)
	R.out.next = side(rbuf, lbuf, rkeys, false, j.Kind == parser.JoinRight || full, R.cols)
	pl.in.stateful = append(pl.in.stateful, &joinState{lbuf, rbuf, &maxT})
	return src, nil
}

type joinState struct {
	l, r *window.JoinBuffer
	maxT *[2]int64
}

func (s *joinState) appendState(b []byte) []byte {
	b = s.l.AppendState(b)
	b = s.r.AppendState(b)
	b = appendVarint(b, s.maxT[0])
	return appendVarint(b, s.maxT[1])
}

func (s *joinState) readState(b []byte) ([]byte, error) {
	b, err := s.l.ReadState(b)
	if err != nil {
		return nil, err
	}
	if b, err = s.r.ReadState(b); err != nil {
		return nil, err
	}
	for i := range s.maxT {
		if s.maxT[i], b, err = readVarint(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}
