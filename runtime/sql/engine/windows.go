package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/kinesin/kinesin/runtime/sql/agg"
	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/window"
)

// collectAggs answers the aggregate calls (without OVER) of a select list
// and HAVING, each once.
func collectAggs(sel *parser.Select) []*parser.FuncCall {
	var out []*parser.FuncCall
	seen := map[string]bool{}
	f := func(e parser.Expr) bool {
		if c, ok := e.(*parser.FuncCall); ok && c.Over == nil && agg.Lookup(c.Name.Name) != nil {
			if k := exprKey(c); !seen[k] {
				seen[k] = true
				out = append(out, c)
			}
			return false
		}
		return true
	}
	for _, it := range sel.Items {
		walk(it.Expr, f)
	}
	walk(sel.Having, f)
	return out
}

func hasOver(sel *parser.Select) bool {
	found := false
	f := func(e parser.Expr) bool {
		if c, ok := e.(*parser.FuncCall); ok && c.Over != nil {
			found = true
		}
		return !found
	}
	for _, it := range sel.Items {
		walk(it.Expr, f)
	}
	walk(sel.Where, f)
	return found
}

// aggCall is a compiled aggregate call.
type aggCall struct {
	spec window.AggSpec
	args []eval.Evaluator
	typ  eval.Type
}

func (pl *planner) compileAgg(c *parser.FuncCall, scope *eval.Scope) (*aggCall, error) {
	f := agg.Lookup(c.Name.Name)
	if f == nil {
		return nil, errAt(c, "unknown aggregate %s", c.Name.Name)
	}
	if c.NullTreatment == "IGNORE NULLS" {
		f = f.IgnoreNulls()
	}
	a := &aggCall{spec: window.AggSpec{Func: f, Distinct: c.Quantifier == "DISTINCT"}}
	for _, arg := range c.Args {
		if _, ok := arg.(*parser.Star); ok {
			continue
		}
		ev, t, err := eval.Compile(arg, scope)
		if err != nil {
			return nil, err
		}
		a.args = append(a.args, ev)
		a.spec.ArgTypes = append(a.spec.ArgTypes, t)
		a.spec.Consts = append(a.spec.Consts, constValue(arg))
	}
	t, err := f.Check(a.spec.ArgTypes, a.spec.Consts, a.spec.Distinct)
	if err != nil {
		return nil, errAt(c, "%s: %v", c.Name.Name, err)
	}
	a.typ = t
	return a, nil
}

// argBufs makes the per-row argument buffers of aggregate calls.
func argBufs(calls []*aggCall) [][]eval.Value {
	out := make([][]eval.Value, len(calls))
	for i, c := range calls {
		out[i] = make([]eval.Value, len(c.args))
	}
	return out
}

func evalArgs(calls []*aggCall, row eval.Row, bufs [][]eval.Value) error {
	for i, c := range calls {
		for j, ev := range c.args {
			v, err := ev(row)
			if err != nil {
				return err
			}
			bufs[i][j] = v
		}
	}
	return nil
}

func evalAll(evs []eval.Evaluator, row eval.Row, dst []eval.Value) error {
	for i, ev := range evs {
		v, err := ev(row)
		if err != nil {
			return err
		}
		dst[i] = v
	}
	return nil
}

// timeKey maps a row time to its tumbling window for a GROUP BY key that
// is a monotonic expression of ROWTIME.
type timeKey struct {
	size     int64 // fixed-size windows (STEP, FLOOR to a fixed unit); 0: search
	ev       eval.Evaluator
	probe    eval.Row
	timeCols []int
	cur      window.Window
	valid    bool
}

var unitMs = map[string]int64{"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60000, "HOUR": 3600000, "DAY": 86400000}

func (pl *planner) compileTimeKey(e parser.Expr, scope *eval.Scope, times []bool) (*timeKey, error) {
	isTime := func(x parser.Expr) bool {
		c, ok := x.(*parser.ColumnRef)
		if !ok {
			return false
		}
		j, ok := resolveIn(scope, c)
		return ok && j < len(times) && times[j]
	}
	switch n := e.(type) {
	case *parser.StepExpr:
		if isTime(n.X) {
			if v := constValue(n.By); v != nil && v.Kind == eval.IntervalDayTime && v.I > 0 {
				return &timeKey{size: v.I}, nil
			}
		}
	case *parser.FloorCeil:
		if isTime(n.X) && n.Func == "FLOOR" {
			if ms, ok := unitMs[n.Unit]; ok {
				return &timeKey{size: ms}, nil
			}
		}
	}
	ev, _, err := eval.Compile(e, scope)
	if err != nil {
		return nil, err
	}
	k := &timeKey{ev: ev, probe: make(eval.Row, len(scope.Columns))}
	for j, t := range times {
		if t && j < len(k.probe) {
			k.timeCols = append(k.timeCols, j)
		}
	}
	return k, nil
}

func (k *timeKey) at(t int64) (eval.Value, error) {
	for _, j := range k.timeCols {
		k.probe[j] = eval.TimestampMillis(t)
	}
	return k.ev(k.probe)
}

// onlyTime reports whether e references columns and every column it
// references equals ROWTIME (ROWTIME itself, or a column marked so).
func onlyTime(e parser.Expr, scope *eval.Scope, times []bool) bool {
	return onlyTimeWith(e, func(c *parser.ColumnRef) (int, bool) { return resolveIn(scope, c) }, times)
}

func onlyTimeWith(e parser.Expr, resolve func(c *parser.ColumnRef) (int, bool), times []bool) bool {
	ok, any := true, false
	walk(e, func(x parser.Expr) bool {
		switch c := x.(type) {
		case *parser.ColumnRef:
			j, found := resolve(c)
			if found && j < len(times) && times[j] {
				any = true
			} else {
				ok = false
			}
		case *parser.Niladic, *parser.FuncCall:
			if f, isCall := x.(*parser.FuncCall); !isCall || f.Over != nil || agg.Lookup(f.Name.Name) != nil {
				ok = false
			}
		}
		return true
	})
	return ok && any
}

func sameValue(a, b eval.Value) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() == b.IsNull()
	}
	c, err := eval.Compare(a, b)
	return err == nil && c == 0
}

// window answers the window of t: fixed-size, or the stretch of time
// around t over which the key expression keeps its value.
func (k *timeKey) window(t int64) (window.Window, error) {
	if k.size > 0 {
		return window.Tumble(t, k.size, 0), nil
	}
	if k.valid && t >= k.cur.Start && t < k.cur.End {
		return k.cur, nil
	}
	v0, err := k.at(t)
	if err != nil {
		return window.Window{}, err
	}
	edge := func(dir int64) (int64, error) {
		// Find the nearest time in direction dir where the value differs.
		same, diff := t, int64(0)
		found := false
		for step := int64(1); step < 1<<45; step *= 2 {
			v, err := k.at(t + dir*step)
			if err != nil {
				return 0, err
			}
			if !sameValue(v, v0) {
				diff, found = t+dir*step, true
				break
			}
			same = t + dir*step
		}
		if !found {
			return 0, errors.New("the GROUP BY time expression does not change with ROWTIME")
		}
		for (diff-same)*dir > 1 {
			mid := same + (diff-same)/2
			v, err := k.at(mid)
			if err != nil {
				return 0, err
			}
			if sameValue(v, v0) {
				same = mid
			} else {
				diff = mid
			}
		}
		return diff, nil
	}
	end, err := edge(1)
	if err != nil {
		return window.Window{}, err
	}
	before, err := edge(-1)
	if err != nil {
		return window.Window{}, err
	}
	k.cur, k.valid = window.Window{Start: before + 1, End: end}, true
	return k.cur, nil
}

// grouper is what a grouped select adds rows to.
type grouper interface {
	Close(upTo int64, emit func(w window.Window, keyVals, results []eval.Value) error) error
	AppendState(b []byte) []byte
	ReadState(b []byte) ([]byte, error)
}

type groupedState struct {
	g  grouper
	wm *window.Watermark
}

func (s *groupedState) appendState(b []byte) []byte {
	b = s.g.AppendState(b)
	if s.wm != nil {
		b = s.wm.AppendState(b)
	}
	return b
}

func (s *groupedState) readState(b []byte) ([]byte, error) {
	b, err := s.g.ReadState(b)
	if err != nil || s.wm == nil {
		return b, err
	}
	return s.wm.ReadState(b)
}

var windowColNames = []string{"WINDOW_START", "WINDOW_END", "WINDOW_TIME"}

func isWindowCol(e parser.Expr) bool {
	c, ok := e.(*parser.ColumnRef)
	if !ok {
		return false
	}
	n := c.Parts[len(c.Parts)-1].Name
	for _, w := range windowColNames {
		if equalFold(n, w) {
			return true
		}
	}
	return false
}

// planGrouped plans GROUP BY (tumbling windows of ROWTIME, or Flink window
// table functions) and WINDOWED BY STAGGER.
func (pl *planner) planGrouped(sel *parser.Select, src *source, aggExprs []*parser.FuncCall) ([]outCol, *outlet, error) {
	in := pl.in
	pump := pl.pump
	scope := pl.scope(src.cols)
	var where eval.Evaluator
	if sel.Where != nil {
		w, t, err := eval.Compile(sel.Where, scope)
		if err != nil {
			return nil, nil, err
		}
		if t.Kind != eval.Boolean && t.Kind != eval.Null {
			return nil, nil, errAt(sel.Where, "WHERE needs a BOOLEAN condition, not %s", t)
		}
		where = w
	}
	// Keys.
	var keyExprs []parser.Expr
	seen := map[string]bool{}
	addKey := func(e parser.Expr) {
		if k := exprKey(e); !seen[k] {
			seen[k] = true
			keyExprs = append(keyExprs, e)
		}
	}
	var staggerSize int64
	if sel.Stagger != nil {
		for _, e := range sel.Stagger.PartitionBy {
			addKey(e)
		}
		ms, err := intervalMillis(sel.Stagger.Range, "the STAGGER range")
		if err != nil {
			return nil, nil, err
		}
		staggerSize = ms
	}
	var tk *timeKey
	pointKey := false
	srcTimes := src.times()
	pl.timeOf[scope] = srcTimes
	for _, e := range sel.GroupBy {
		if src.tvf != nil && isWindowCol(e) {
			continue
		}
		if sel.Stagger == nil && src.tvf == nil && tk == nil && onlyTime(e, scope, srcTimes) {
			var err error
			if tk, err = pl.compileTimeKey(e, scope, srcTimes); err != nil {
				return nil, nil, err
			}
		}
		addKey(e)
	}
	if sel.Stagger == nil && src.tvf == nil && tk == nil {
		// A column that always equals ROWTIME (the window_end of an
		// upstream windowed query): group the rows of each ROWTIME.
		for _, e := range sel.GroupBy {
			if c, ok := e.(*parser.ColumnRef); ok {
				if j, ok := resolveIn(scope, c); ok && j > 0 && j < len(srcTimes) && srcTimes[j] {
					tk, pointKey = &timeKey{size: 1}, true
					break
				}
			}
		}
	}
	mono := -1
	if sel.Stagger == nil && src.tvf == nil && tk == nil {
		for i, e := range keyExprs {
			if _, ok := isMonotonic(e); ok {
				mono = i
				break
			}
		}
	}
	if sel.Stagger == nil && src.tvf == nil && tk == nil && mono < 0 {
		at := parser.Node(sel)
		if len(sel.GroupBy) > 0 {
			at = sel.GroupBy[0]
		}
		return nil, nil, errAt(at, "a streaming GROUP BY needs a window: group by a monotonic expression of ROWTIME such as STEP(s.ROWTIME BY INTERVAL '60' SECOND) or FLOOR(s.ROWTIME TO MINUTE), or read a TUMBLE/HOP/SESSION table function")
	}
	keys := make([]eval.Evaluator, len(keyExprs))
	gcols := []eval.Column{{Name: "ROWTIME", Type: eval.Type{Kind: eval.Timestamp, NotNull: true}}}
	keyCol := map[string]int{}
	keyInputCol := map[int]int{}
	for i, e := range keyExprs {
		ev, t, err := eval.Compile(e, scope)
		if err != nil {
			return nil, nil, err
		}
		keys[i] = ev
		col := eval.Column{Type: t}
		ke := e
		if m, ok := isMonotonic(e); ok {
			ke = m.Args[0]
			keyCol[exprKey(ke)] = len(gcols)
		}
		if c, ok := ke.(*parser.ColumnRef); ok {
			if j, ok := resolveIn(scope, c); ok {
				col.Qualifier, col.Name = src.cols[j].Qualifier, src.cols[j].Name
				keyInputCol[j] = len(gcols)
			}
		}
		keyCol[exprKey(e)] = len(gcols)
		gcols = append(gcols, col)
	}
	calls := make([]*aggCall, len(aggExprs))
	specs := make([]window.AggSpec, len(aggExprs))
	aggCol := map[string]int{}
	for i, c := range aggExprs {
		a, err := pl.compileAgg(c, scope)
		if err != nil {
			return nil, nil, err
		}
		calls[i], specs[i] = a, a.spec
		aggCol[exprKey(c)] = len(gcols)
		gcols = append(gcols, eval.Column{Type: a.typ})
	}
	winCol := len(gcols)
	if src.tvf != nil {
		for _, n := range windowColNames {
			gcols = append(gcols, eval.Column{Qualifier: src.tvf.qual, Name: n, Type: eval.Type{Kind: eval.Timestamp}})
		}
	}
	gscope := pl.scope(gcols)
	gtimes := make([]bool, len(gcols))
	gtimes[0] = true
	if src.tvf != nil {
		gtimes[winCol+1] = true
	}
	pl.timeOf[gscope] = gtimes
	gscope.Subst = func(e parser.Expr) (int, bool) {
		if i, ok := keyCol[exprKey(e)]; ok {
			return i, true
		}
		if c, ok := e.(*parser.FuncCall); ok && c.Over == nil {
			if i, ok := aggCol[exprKey(c)]; ok {
				return i, true
			}
		}
		if c, ok := e.(*parser.ColumnRef); ok {
			if isRowtime(c) && len(c.Parts) <= 2 {
				return 0, true
			}
			if j, ok := resolveIn(scope, c); ok {
				if i, ok := keyInputCol[j]; ok {
					return i, true
				}
				if src.tvf != nil && j >= src.tvf.nbase {
					return winCol + j - src.tvf.nbase, true
				}
				return 0, false
			}
		}
		return substColumn(gscope, e)
	}
	var having eval.Evaluator
	if sel.Having != nil {
		h, t, err := eval.Compile(sel.Having, gscope)
		if err != nil {
			return nil, nil, err
		}
		if t.Kind != eval.Boolean && t.Kind != eval.Null {
			return nil, nil, errAt(sel.Having, "HAVING needs a BOOLEAN condition, not %s", t)
		}
		having = h
	}
	proj, cols, err := pl.projection(sel.Items, gscope)
	if err != nil {
		return nil, nil, err
	}
	out := &outlet{}
	outBuf := make(eval.Row, len(cols)+1)
	grow := make(eval.Row, len(gcols))
	ms := &monoState{}
	emit := func(w window.Window, keyVals, results []eval.Value) error {
		if pointKey {
			w.End = w.Start
		}
		if mono >= 0 {
			w = window.Window{Start: ms.t, End: ms.t}
		}
		grow[0] = eval.TimestampMillis(w.End)
		copy(grow[1:], keyVals)
		copy(grow[1+len(keyVals):], results)
		if src.tvf != nil {
			grow[winCol] = eval.TimestampMillis(w.Start)
			grow[winCol+1] = eval.TimestampMillis(w.End)
			grow[winCol+2] = eval.TimestampMillis(w.End - 1)
		}
		if having != nil {
			v, err := having(grow)
			if err != nil {
				return in.fail(pump, w.End, gcols, grow, err)
			}
			if v.IsNull() || !v.Bool() {
				return nil
			}
		}
		outBuf[0] = grow[0]
		if err := proj.fill(outBuf[1:], grow); err != nil {
			return in.fail(pump, w.End, gcols, grow, err)
		}
		if err := out.send(w.End, outBuf); err != nil {
			return in.fail(pump, w.End, gcols, grow, err)
		}
		return nil
	}
	keyBuf := make([]eval.Value, len(keys))
	args := argBufs(calls)
	var keyBytes []byte
	keyOf := func(vals []eval.Value) window.Key {
		keyBytes = window.AppendKey(keyBytes[:0], vals)
		return window.Key(keyBytes)
	}
	prepare := func(row eval.Row) (bool, error) {
		if where != nil {
			v, err := where(row)
			if err != nil {
				return false, err
			}
			if v.IsNull() || !v.Bool() {
				return false, nil
			}
		}
		if err := evalAll(keys, row, keyBuf); err != nil {
			return false, err
		}
		return true, evalArgs(calls, row, args)
	}
	st := &groupedState{}
	processing := true
	switch {
	case sel.Stagger != nil:
		sg := window.NewStagger(specs, staggerSize)
		st.g = sg
		src.out.next = func(t int64, row eval.Row) error {
			if err := sg.Close(t, emit); err != nil {
				return err
			}
			ok, err := prepare(row)
			if err != nil || !ok {
				return err
			}
			return sg.Add(keyOf(keyBuf), keyBuf, t, args)
		}
	case mono >= 0:
		// GROUP BY MONOTONIC(x): a group closes when x takes another
		// value; its row's ROWTIME is that of the row that brought it.
		g := window.NewGroups(specs)
		st.g = g
		processing = false
		in.stateful = append(in.stateful, ms)
		src.out.next = func(t int64, row eval.Row) error {
			ok, err := prepare(row)
			if err != nil || !ok {
				return err
			}
			v := keyBuf[mono]
			if ms.have && !sameValue(v, ms.last) {
				ms.seq++
				ms.t = t
				if err := g.Close(ms.seq, emit); err != nil {
					return err
				}
			}
			ms.last, ms.have = v, true
			return g.Add(window.Window{Start: ms.seq, End: ms.seq + 1}, keyOf(keyBuf), keyBuf, t, args)
		}
	case tk != nil:
		g := window.NewGroups(specs)
		st.g = g
		src.out.next = func(t int64, row eval.Row) error {
			if err := g.Close(t, emit); err != nil {
				return err
			}
			ok, err := prepare(row)
			if err != nil || !ok {
				return err
			}
			w, err := tk.window(t)
			if err != nil {
				return err
			}
			keyBytes = window.AppendKey(keyBytes[:0], keyBuf)
			return g.AddBytes(w, keyBytes, keyBuf, t, args)
		}
	default:
		tv := src.tvf
		processing = !tv.eventTime
		if tv.eventTime {
			st.wm = &window.Watermark{Delay: tv.delay, Lateness: tv.lateness}
		}
		wide := make(eval.Row, len(src.cols))
		// Whether WHERE, a key or an aggregate's argument reads a window
		// column (then they are computed per window of the row).
		usesWin := false
		check := func(e parser.Expr) {
			walk(e, func(x parser.Expr) bool {
				if c, ok := x.(*parser.ColumnRef); ok {
					if j, ok := resolveIn(scope, c); !ok || j >= tv.nbase {
						usesWin = true
					}
				}
				return !usesWin
			})
		}
		if sel.Where != nil {
			check(sel.Where)
		}
		for _, e := range keyExprs {
			check(e)
		}
		for _, c := range aggExprs {
			for _, a := range c.Args {
				check(a)
			}
		}
		var sess *window.Sessions
		var g *window.Groups
		if tv.kind == "SESSION" {
			sess = window.NewSessions(specs, tv.gap)
			st.g = sess
		} else {
			g = window.NewGroups(specs)
			st.g = g
		}
		closeUpTo := func() int64 { return math.MinInt64 }
		if st.wm != nil {
			wm := st.wm
			closeUpTo = func() int64 { return subSat(wm.Current(), wm.Lateness) }
		}
		var ic *idleClock
		if st.wm != nil && tv.idle > 0 {
			ic = &idleClock{wm: st.wm, idle: tv.idle}
			in.stateful = append(in.stateful, ic)
			in.advancers = append(in.advancers, func(now int64) error {
				if !ic.advance(now) {
					return nil
				}
				return st.g.Close(closeUpTo(), emit)
			})
		}
		// An event-time session closed (emitted) is remembered per key
		// until no row that is not late can reach it: a row that would
		// extend it is late, not the start of a new partial session.
		var closed *closedSessions
		sessEmit := emit
		if sess != nil && st.wm != nil {
			closed = &closedSessions{ends: map[window.Key]int64{}, gap: tv.gap}
			in.stateful = append(in.stateful, closed)
			var kb []byte
			sessEmit = func(w window.Window, keyVals, results []eval.Value) error {
				kb = window.AppendKey(kb[:0], keyVals)
				closed.add(window.Key(kb), w.End)
				return emit(w, keyVals, results)
			}
			if ic != nil {
				in.advancers[len(in.advancers)-1] = func(now int64) error {
					if !ic.advance(now) {
						return nil
					}
					upTo := closeUpTo()
					closed.expire(upTo)
					return st.g.Close(upTo, sessEmit)
				}
			}
		}
		src.out.next = func(t int64, row eval.Row) error {
			if ic != nil {
				defer ic.arrived(t)
			}
			copy(wide, row)
			et, ok, err := tv.eventTimeOf(wide, t)
			if err != nil || !ok {
				return err
			}
			upTo := t
			if st.wm != nil {
				if before := closeUpTo(); tv.late(et, before) {
					return in.failNamed(pump, "LATE_ROW", t, src.cols[:tv.nbase], wide, tv.lateErr(et, st.wm, before))
				}
				st.wm.Observe(et)
				upTo = closeUpTo()
			}
			if sess != nil {
				if closed != nil {
					closed.expire(upTo)
				}
				if err := st.g.Close(upTo, sessEmit); err != nil {
					return err
				}
				ok, err := prepare(wide)
				if err != nil || !ok {
					return err
				}
				keyBytes = window.AppendKey(keyBytes[:0], keyBuf)
				// Sessions closed so far end by upTo: a row at or past it
				// cannot reach one.
				if closed != nil && et < upTo && len(closed.ends) > 0 {
					if end, ok := closed.ends[window.Key(keyBytes)]; ok && et < end {
						return in.failNamed(pump, "LATE_ROW", t, src.cols[:tv.nbase], wide,
							fmt.Errorf("late row: event time %s would extend a session of its key that closed at %s (watermark %s)",
								eval.TimestampMillis(et), eval.TimestampMillis(end), eval.TimestampMillis(st.wm.Current())))
					}
				}
				return sess.AddBytes(keyBytes, keyBuf, et, args)
			}
			if err := st.g.Close(upTo, emit); err != nil {
				return err
			}
			var addErr error
			if !usesWin {
				// Keys and arguments do not read the window columns:
				// computed once for all the row's windows.
				ok, err := prepare(wide)
				if err != nil || !ok {
					return err
				}
				keyBytes = window.AppendKey(keyBytes[:0], keyBuf)
				tv.windows(et, func(w window.Window) {
					if addErr == nil && w.End > upTo {
						addErr = g.AddBytes(w, keyBytes, keyBuf, et, args)
					}
				})
				return addErr
			}
			tv.windows(et, func(w window.Window) {
				if addErr != nil || w.End <= upTo {
					return
				}
				wide[tv.nbase] = eval.TimestampMillis(w.Start)
				wide[tv.nbase+1] = eval.TimestampMillis(w.End)
				wide[tv.nbase+2] = eval.TimestampMillis(w.End - 1)
				ok, err := prepare(wide)
				if err != nil || !ok {
					addErr = err
					return
				}
				keyBytes = window.AppendKey(keyBytes[:0], keyBuf)
				addErr = g.AddBytes(w, keyBytes, keyBuf, et, args)
			})
			return addErr
		}
	}
	in.stateful = append(in.stateful, st)
	if processing {
		in.advancers = append(in.advancers, func(now int64) error { return st.g.Close(now, emit) })
	}
	return cols, out, nil
}

func subSat(a, b int64) int64 {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		if b > 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return d
}

// resolveIn answers the column a reference resolves to in scope (with
// the engine's fallbacks).
func resolveIn(scope *eval.Scope, c *parser.ColumnRef) (int, bool) {
	if i, ok := substColumn(scope, c); ok {
		return i, true
	}
	if len(c.Parts) > 2 {
		return 0, false
	}
	i, _, err := scope.Resolve(c.Parts)
	return i, err == nil
}

// ---- sliding windows ----

type navCall struct {
	kind    string // LAG, NTH_VALUE
	x       eval.Evaluator
	n       int64
	def     eval.Evaluator
	ignore  bool
	col     int
	typ     eval.Type
	fromEnd bool
}

type slideWin struct {
	part  []eval.Evaluator
	sl    *window.Sliding
	calls []*aggCall
	cols  []int
	navs  []*navCall
	args  [][]eval.Value
	keys  []eval.Value
	kb    []byte
	// the frame
	rangeMs int64
	rows    int
}

type slideState struct{ wins []*slideWin }

func (s *slideState) appendState(b []byte) []byte {
	for _, w := range s.wins {
		b = w.sl.AppendState(b)
	}
	return b
}

func (s *slideState) readState(b []byte) ([]byte, error) {
	var err error
	for _, w := range s.wins {
		if b, err = w.sl.ReadState(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// resolveWindow answers the spec an OVER names, merged with the WINDOW clause.
func resolveWindow(spec *parser.WindowSpec, defs []parser.WindowDef, at parser.Node) (*parser.WindowSpec, error) {
	if spec.Ref == nil {
		return spec, nil
	}
	for _, d := range defs {
		if d.Name.Name == spec.Ref.Name || equalFold(d.Name.Name, spec.Ref.Name) {
			out := d.Spec
			if spec.PartitionBy != nil {
				out.PartitionBy = spec.PartitionBy
			}
			if spec.Frame != nil {
				out.Frame = spec.Frame
			}
			return &out, nil
		}
	}
	return nil, errAt(at, "window %s is not defined in a WINDOW clause", spec.Ref.Name)
}

const unbounded = math.MaxInt64 / 4

// frameOf answers a spec's frame as (rangeMs, rows), rows -1 for RANGE.
func frameOf(spec *parser.WindowSpec, at parser.Node) (int64, int, error) {
	f := spec.Frame
	if f == nil {
		return unbounded, -1, nil
	}
	if f.End != nil && f.End.Kind != "CURRENT ROW" {
		return 0, 0, errAt(at, "window frames ending after the current row (FOLLOWING) are not supported on streams")
	}
	switch f.Start.Kind {
	case "UNBOUNDED PRECEDING":
		return unbounded, -1, nil
	case "CURRENT ROW":
		if f.Unit == "ROWS" {
			return 0, 0, nil
		}
		return 0, -1, nil
	case "PRECEDING":
		if f.Unit == "ROWS" {
			n, err := constInt(f.Start.Offset, "ROWS n PRECEDING")
			if err != nil || n < 0 {
				return 0, 0, errAt(at, "ROWS n PRECEDING needs a constant n >= 0")
			}
			return 0, int(n), nil
		}
		// AWS treats a zero range as RANGE CURRENT ROW: the rows of the
		// current ROWTIME.
		if v := constValue(f.Start.Offset); v != nil && v.Kind == eval.IntervalDayTime && v.I == 0 {
			return 0, -1, nil
		}
		ms, err := intervalMillis(f.Start.Offset, "RANGE ... PRECEDING")
		if err != nil {
			return 0, 0, err
		}
		// AWS: a row exactly RANGE older than the current row has left the
		// frame, (t - range, t]; times are whole milliseconds.
		return ms - 1, -1, nil
	}
	return 0, 0, errAt(at, "window frames starting %s are not supported on streams", f.Start.Kind)
}

func (pl *planner) planSliding(sel *parser.Select, src *source) ([]outCol, *outlet, error) {
	in := pl.in
	scope := pl.scope(src.cols)
	var overCalls []*parser.FuncCall
	seen := map[string]int{}
	f := func(e parser.Expr) bool {
		if c, ok := e.(*parser.FuncCall); ok && c.Over != nil {
			if _, ok := seen[exprKey(c)]; !ok {
				seen[exprKey(c)] = len(overCalls)
				overCalls = append(overCalls, c)
			}
			return false
		}
		return true
	}
	for _, it := range sel.Items {
		walk(it.Expr, f)
	}
	whereOver := false
	walk(sel.Where, func(e parser.Expr) bool {
		if c, ok := e.(*parser.FuncCall); ok && c.Over != nil {
			whereOver = true
		}
		return true
	})
	walk(sel.Where, f)
	ext := append([]eval.Column(nil), src.cols...)
	wins := map[string]*slideWin{}
	var order []*slideWin
	callCol := map[string]int{}
	for _, c := range overCalls {
		spec, err := resolveWindow(c.Over, sel.Windows, c)
		if err != nil {
			return nil, nil, err
		}
		rangeMs, rows, err := frameOf(spec, c)
		if err != nil {
			return nil, nil, err
		}
		wkey := fmt.Sprintf("%d/%d/", rangeMs, rows)
		for _, p := range spec.PartitionBy {
			wkey += p.String() + ","
		}
		w := wins[wkey]
		if w == nil {
			w = &slideWin{}
			for _, p := range spec.PartitionBy {
				ev, _, err := eval.Compile(p, scope)
				if err != nil {
					return nil, nil, err
				}
				w.part = append(w.part, ev)
			}
			w.keys = make([]eval.Value, len(w.part))
			wins[wkey] = w
			order = append(order, w)
			w.rangeMs, w.rows = rangeMs, rows
		}
		col := len(ext)
		callCol[exprKey(c)] = col
		name := c.Name.Name
		if agg.Lookup(name) != nil {
			a, err := pl.compileAgg(c, scope)
			if err != nil {
				return nil, nil, err
			}
			w.calls = append(w.calls, a)
			w.cols = append(w.cols, col)
			ext = append(ext, eval.Column{Type: a.typ})
			continue
		}
		nv, err := pl.compileNav(c, scope)
		if err != nil {
			return nil, nil, err
		}
		nv.col = col
		w.navs = append(w.navs, nv)
		ext = append(ext, eval.Column{Type: nv.typ})
	}
	st := &slideState{wins: order}
	for _, w := range order {
		specs := make([]window.AggSpec, len(w.calls))
		for i, a := range w.calls {
			specs[i] = a.spec
		}
		w.sl = window.NewSliding(specs, w.rangeMs, w.rows)
		w.args = argBufs(w.calls)
	}
	escope := pl.scope(ext)
	pl.timeOf[escope] = append(append([]bool(nil), src.times()...), make([]bool, len(ext)-len(src.cols))...)
	escope.Subst = func(e parser.Expr) (int, bool) {
		if c, ok := e.(*parser.FuncCall); ok && c.Over != nil {
			if i, ok := callCol[exprKey(c)]; ok {
				return i, true
			}
		}
		return substColumn(escope, e)
	}
	var where eval.Evaluator
	if sel.Where != nil {
		sc := scope
		if whereOver {
			sc = escope
		}
		wv, t, err := eval.Compile(sel.Where, sc)
		if err != nil {
			return nil, nil, err
		}
		if t.Kind != eval.Boolean && t.Kind != eval.Null {
			return nil, nil, errAt(sel.Where, "WHERE needs a BOOLEAN condition, not %s", t)
		}
		where = wv
	}
	proj, cols, err := pl.projection(sel.Items, escope)
	if err != nil {
		return nil, nil, err
	}
	out := &outlet{}
	buf := make(eval.Row, len(ext))
	outBuf := make(eval.Row, len(cols)+1)
	pass := func(row eval.Row) (bool, error) {
		v, err := where(row)
		if err != nil {
			return false, err
		}
		return !v.IsNull() && v.Bool(), nil
	}
	next := func(t int64, row eval.Row) error {
		if where != nil && !whereOver {
			if ok, err := pass(row); err != nil || !ok {
				return err
			}
		}
		copy(buf, row)
		for _, w := range order {
			if err := evalAll(w.part, row, w.keys); err != nil {
				return err
			}
			if err := evalArgs(w.calls, row, w.args); err != nil {
				return err
			}
			w.kb = window.AppendKey(w.kb[:0], w.keys)
			results, frame, err := w.sl.Push(window.Key(w.kb), t, row[:len(src.cols)], w.args)
			if err != nil {
				return err
			}
			for i, c := range w.cols {
				buf[c] = results[i]
			}
			for _, nv := range w.navs {
				v, err := nv.compute(frame, row)
				if err != nil {
					return err
				}
				buf[nv.col] = v
			}
		}
		if where != nil && whereOver {
			if ok, err := pass(buf); err != nil || !ok {
				return err
			}
		}
		outBuf[0] = row[0]
		if err := proj.fill(outBuf[1:], buf); err != nil {
			return err
		}
		return out.send(t, outBuf)
	}
	if src.tvf != nil {
		if err := expandable(src, sel.From); err != nil {
			return nil, nil, err
		}
		next = pl.expandTVF(src, next)
	}
	src.out.next = next
	in.stateful = append(in.stateful, st)
	in.advancers = append(in.advancers, func(now int64) error {
		for _, w := range order {
			w.sl.Expire(now)
		}
		return nil
	})
	return cols, out, nil
}

func (pl *planner) compileNav(c *parser.FuncCall, scope *eval.Scope) (*navCall, error) {
	name := c.Name.Name
	nv := &navCall{kind: name, ignore: c.NullTreatment == "IGNORE NULLS"}
	switch name {
	case "LAG", "NTH_VALUE":
	default:
		return nil, errAt(c, "%s is not an aggregate or window function", name)
	}
	if len(c.Args) < 1 || len(c.Args) > 3 || name == "NTH_VALUE" && len(c.Args) != 2 {
		return nil, errAt(c, "wrong number of arguments to %s", name)
	}
	x, t, err := eval.Compile(c.Args[0], scope)
	if err != nil {
		return nil, err
	}
	nv.x, nv.typ = x, t
	nv.typ.NotNull = false
	nv.n = 1
	if len(c.Args) > 1 {
		if nv.n, err = constInt(c.Args[1], name+"'s offset"); err != nil {
			return nil, err
		}
		if nv.n < 0 || name == "NTH_VALUE" && nv.n < 1 {
			return nil, errAt(c.Args[1], "%s's offset is out of range", name)
		}
	}
	if len(c.Args) > 2 {
		d, _, err := eval.Compile(c.Args[2], scope)
		if err != nil {
			return nil, err
		}
		nv.def = d
	}
	return nv, nil
}

func (nv *navCall) compute(f window.Frame, cur eval.Row) (eval.Value, error) {
	n := f.Len()
	switch nv.kind {
	case "LAG":
		if !nv.ignore {
			if i := int64(n-1) - nv.n; i >= 0 {
				return nv.x(f.Row(int(i)))
			}
		} else if nv.n == 0 {
			return nv.x(f.Row(n - 1))
		} else {
			k := int64(0)
			for i := n - 2; i >= 0; i-- {
				v, err := nv.x(f.Row(i))
				if err != nil {
					return v, err
				}
				if v.IsNull() {
					continue
				}
				if k++; k == nv.n {
					return v, nil
				}
			}
		}
		if nv.def != nil {
			return nv.def(cur)
		}
		return eval.NullValue, nil
	case "NTH_VALUE":
		k := int64(0)
		for i := 0; i < n; i++ {
			v, err := nv.x(f.Row(i))
			if err != nil {
				return v, err
			}
			if nv.ignore && v.IsNull() {
				continue
			}
			k++
			if k == nv.n {
				return v, nil
			}
		}
	}
	return eval.NullValue, nil
}

// monoState is the progress of GROUP BY MONOTONIC(x).
type monoState struct {
	seq, t int64
	last   eval.Value
	have   bool
}

func (m *monoState) appendState(b []byte) []byte {
	b = appendVarint(b, m.seq)
	b = appendVarint(b, m.t)
	if !m.have {
		return append(b, 0)
	}
	return agg.AppendValue(append(b, 1), m.last)
}

func (m *monoState) readState(b []byte) ([]byte, error) {
	var err error
	if m.seq, b, err = readVarint(b); err != nil {
		return nil, err
	}
	if m.t, b, err = readVarint(b); err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errors.New("engine: corrupt state")
	}
	m.have = b[0] == 1
	b = b[1:]
	if m.have {
		m.last, b, err = agg.ReadValue(b)
	}
	return b, err
}

// closedSessions remembers, per key, the end of the latest session closed,
// until the watermark (less lateness) is a gap past it: from then on a row
// reaching into it is late anyway (its own session would have closed).
type closedSessions struct {
	ends  map[window.Key]int64
	gap   int64
	queue []closedEnd // in closing order
}

type closedEnd struct {
	k   window.Key
	end int64
}

func (c *closedSessions) add(k window.Key, end int64) {
	if old, ok := c.ends[k]; ok && old >= end {
		return
	}
	c.ends[k] = end
	c.queue = append(c.queue, closedEnd{k, end})
}

func (c *closedSessions) expire(upTo int64) {
	n := 0
	for n < len(c.queue) && c.queue[n].end+c.gap <= upTo {
		q := c.queue[n]
		if c.ends[q.k] == q.end {
			delete(c.ends, q.k)
		}
		c.queue[n] = closedEnd{}
		n++
	}
	if n > 0 {
		c.queue = c.queue[n:]
		if len(c.queue) == 0 {
			c.queue = c.queue[:0:0]
		}
	}
}

func (c *closedSessions) appendState(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(c.queue)))
	for _, q := range c.queue {
		b = binary.AppendUvarint(b, uint64(len(q.k)))
		b = append(b, q.k...)
		b = appendVarint(b, q.end)
	}
	return b
}

func (c *closedSessions) readState(b []byte) ([]byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, errors.New("engine: corrupt session state")
	}
	b = b[k:]
	clear(c.ends)
	c.queue = c.queue[:0]
	for i := uint64(0); i < n; i++ {
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return nil, errors.New("engine: corrupt session state")
		}
		key := window.Key(b[k : k+int(l)])
		b = b[k+int(l):]
		var end int64
		var err error
		if end, b, err = readVarint(b); err != nil {
			return nil, err
		}
		c.add(key, end)
	}
	return b, nil
}
