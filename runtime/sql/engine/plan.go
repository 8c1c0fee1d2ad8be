package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/runtime/sql/eval"
	"github.com/kinesin/kinesin/runtime/sql/parser"
	"github.com/kinesin/kinesin/runtime/sql/window"
)

// outlet is where an operator sends its rows; the consumer sets next.
// Rows are [ROWTIME, values...] and valid only during the call.
type outlet struct {
	next func(t int64, row eval.Row) error
}

func (o *outlet) send(t int64, row eval.Row) error {
	if o.next == nil {
		return nil
	}
	return o.next(t, row)
}

// outCol is an output column of a query.
type outCol struct {
	name    string
	typ     eval.Type
	rowtime bool // an unaliased ROWTIME item: the row's time, not a data column
	isTime  bool // the column always equals the row's ROWTIME
}

// source is a planned FROM item: rows of cols (cols[0] is the row's time).
type source struct {
	cols []eval.Column
	out  *outlet
	ref  *refTable // a reference table (no rows pushed)
	over *parser.WindowSpec
	tvf  *tvf
	// input: the rows are an input stream's, whose ROWTIMEs (ingest
	// times) do not fall behind the clock Advance is given.
	input bool
	// timeCols marks the columns that always equal the row's ROWTIME
	// (nil: only column 0).
	timeCols []bool
}

// refTable is an in-application reference table.
type refTable struct {
	name string
	cols []Column
	rows []eval.Row // [NULL, values...]
}

type planner struct {
	in    *Instance
	opts  *Options
	funcs map[string]*eval.Func
	views map[string]*parser.CreateView
	refs  map[string]*refTable
	pump  string
	depth int
	clock func() time.Time
	rfs   map[*parser.FuncCall]*rowFunc
	// windows is the WINDOW clause of the select being planned (joins' OVER w).
	windows []parser.WindowDef
	// timeOf marks, per scope, the columns that equal the row's ROWTIME.
	timeOf map[*eval.Scope][]bool
}

func (p *Program) build(emit Emit) (*Instance, error) {
	in := &Instance{prog: p, emit: emit, byName: map[string]*stream{}, start: time.Now()}
	nowf := p.opts.Now
	if nowf == nil {
		nowf = time.Now
	}
	start := nowf()
	pl := &planner{in: in, opts: &p.opts, funcs: map[string]*eval.Func{}, views: map[string]*parser.CreateView{},
		refs: map[string]*refTable{}, clock: func() time.Time { return start }, rfs: map[*parser.FuncCall]*rowFunc{},
		timeOf: map[*eval.Scope][]bool{}}
	for i, inp := range p.opts.Inputs {
		if in.lookupStream(inp.Name) != nil && in.byName[inp.Name] != nil {
			return nil, &CompileError{Line: 1, Col: 1, Msg: fmt.Sprintf("input %s is declared twice", inp.Name)}
		}
		s := &stream{name: inp.Name, cols: inp.Columns, input: i}
		in.addStream(s)
		in.inputs = append(in.inputs, s)
	}
	in.errStream = &stream{name: ErrorStream, cols: errorColumns, input: -1}
	in.addStream(in.errStream)
	for _, r := range p.opts.References {
		rt := &refTable{name: r.Name, cols: r.Columns}
		for _, row := range r.Rows {
			rt.rows = append(rt.rows, append(eval.Row{eval.NullValue}, row...))
		}
		pl.refs[r.Name] = rt
	}
	for name, f := range p.opts.Funcs {
		pl.funcs[name] = f
	}
	var pumps []*parser.CreatePump
	pumpIdx := map[string]int{}
	var queries []parser.Stmt
	for _, st := range p.stmts {
		switch s := st.(type) {
		case *parser.CreateStream:
			name := objName(s.Name)
			if old := in.byName[name]; old != nil {
				if old.input >= 0 || old == in.errStream {
					return nil, errAt(s, "cannot replace %s: it is not a stream the code creates", name)
				}
				if !s.OrReplace {
					return nil, errAt(s, "stream %s already exists", name)
				}
			}
			st := &stream{name: name, input: -1, declared: true}
			for _, c := range s.Columns {
				t, err := eval.TypeOf(c.Type.Name, c.Type.Args)
				if err != nil {
					return nil, errAt(c.Name, "%v", err)
				}
				t.NotNull = c.NotNull
				st.cols = append(st.cols, Column{Name: c.Name.Name, Type: t})
			}
			if old := in.byName[name]; old != nil {
				*old = *st
			} else {
				in.addStream(st)
			}
		case *parser.CreateView:
			pl.views[objName(s.Name)] = s
		case *parser.CreateFunction:
			if err := pl.sqlFunc(s); err != nil {
				return nil, compileErr(err)
			}
		case *parser.CreatePump:
			name := objName(s.Name)
			if i, ok := pumpIdx[name]; ok {
				if !s.OrReplace {
					return nil, errAt(s, "pump %s already exists", name)
				}
				pumps[i] = s
			} else {
				pumpIdx[name] = len(pumps)
				pumps = append(pumps, s)
			}
		default:
			queries = append(queries, st)
		}
	}
	for _, s := range pl.orderPumps(pumps) {
		if s.Stopped {
			continue
		}
		pl.pump = objName(s.Name)
		if err := pl.planInsert(s.Insert); err != nil {
			return nil, compileErr(err)
		}
	}
	for i, st := range queries {
		pl.pump = ""
		switch s := st.(type) {
		case *parser.Insert:
			if err := pl.planInsert(s); err != nil {
				return nil, compileErr(err)
			}
		case parser.Query:
			// An ad hoc query: its rows go to the stream QUERY (QUERY_2, ...).
			name := "QUERY"
			if i > 0 {
				name = "QUERY_" + strconv.Itoa(i+1)
			}
			cols, out, err := pl.planQuery(s)
			if err != nil {
				return nil, compileErr(err)
			}
			st := &stream{name: name, input: -1, declared: true}
			for _, c := range cols {
				if c.rowtime {
					continue
				}
				st.cols = append(st.cols, Column{Name: c.name, Type: c.typ})
			}
			in.addStream(st)
			buf := make(eval.Row, len(st.cols))
			out.next = func(t int64, row eval.Row) error {
				j := 0
				for k, c := range cols {
					if !c.rowtime {
						buf[j] = row[1+k]
						j++
					}
				}
				return in.deliver(st, t, buf)
			}
		default:
			return nil, errAt(st, "unsupported statement")
		}
	}
	return in, nil
}

// orderPumps orders pumps so that a pump comes after the pumps writing the
// streams it reads (declaration order otherwise), so that Advance closes
// upstream windows first.
func (pl *planner) orderPumps(pumps []*parser.CreatePump) []*parser.CreatePump {
	writes := map[string][]int{}
	for i, p := range pumps {
		writes[objName(p.Insert.Target)] = append(writes[objName(p.Insert.Target)], i)
	}
	done := make([]bool, len(pumps))
	visiting := make([]bool, len(pumps))
	var out []*parser.CreatePump
	var visit func(i int)
	visit = func(i int) {
		if done[i] || visiting[i] {
			return
		}
		visiting[i] = true
		for _, r := range pl.queryReads(pumps[i].Insert.Query, 0) {
			for _, j := range writes[r] {
				visit(j)
			}
		}
		visiting[i] = false
		done[i] = true
		out = append(out, pumps[i])
	}
	for i := range pumps {
		visit(i)
	}
	return out
}

// queryReads answers the names a query reads (views expanded).
func (pl *planner) queryReads(q parser.Query, depth int) []string {
	if depth > 32 {
		return nil
	}
	var out []string
	var table func(t parser.TableExpr)
	var expr func(e parser.Expr)
	expr = func(e parser.Expr) {
		walk(e, func(x parser.Expr) bool {
			switch n := x.(type) {
			case *parser.CursorExpr:
				out = append(out, pl.queryReads(n.Query, depth+1)...)
			case *parser.TableArg:
				if n.Query != nil {
					out = append(out, pl.queryReads(n.Query, depth+1)...)
				} else {
					out = append(out, pl.nameReads(objName(n.Name), depth)...)
				}
			}
			return true
		})
	}
	table = func(t parser.TableExpr) {
		switch n := t.(type) {
		case *parser.TableRef:
			out = append(out, pl.nameReads(objName(n.Name), depth)...)
		case *parser.DerivedTable:
			out = append(out, pl.queryReads(n.Query, depth+1)...)
		case *parser.TableFunction:
			for _, a := range n.Call.Args {
				expr(a)
			}
		case *parser.Join:
			table(n.L)
			table(n.R)
		}
	}
	switch n := q.(type) {
	case *parser.Select:
		if n.From != nil {
			table(n.From)
		}
	case *parser.SetOp:
		out = append(out, pl.queryReads(n.L, depth+1)...)
		out = append(out, pl.queryReads(n.R, depth+1)...)
	}
	return out
}

func (pl *planner) nameReads(name string, depth int) []string {
	if v, ok := pl.views[name]; ok {
		return pl.queryReads(v.Query, depth+1)
	}
	return []string{name}
}

// sqlFunc compiles CREATE FUNCTION ... LANGUAGE SQL ... RETURN expr.
func (pl *planner) sqlFunc(s *parser.CreateFunction) error {
	name := objName(s.Name)
	if _, ok := pl.funcs[name]; ok && !s.OrReplace {
		return errAt(s, "function %s already exists", name)
	}
	f := &eval.Func{}
	var cols []eval.Column
	for _, p := range s.Params {
		t, err := eval.TypeOf(p.Type.Name, p.Type.Args)
		if err != nil {
			return errAt(p.Name, "%v", err)
		}
		f.Params = append(f.Params, t)
		cols = append(cols, eval.Column{Name: p.Name.Name, Type: t})
	}
	rt, err := eval.TypeOf(s.Returns.Name, s.Returns.Args)
	if err != nil {
		return errAt(s, "%v", err)
	}
	f.Returns = rt
	if s.Language == "WASM" {
		if pl.opts.External == nil {
			return errAt(s, "LANGUAGE WASM functions need kinesin's function runtime, which this application has not")
		}
		ext, err := pl.opts.External(s.External, f.Params, rt)
		if err != nil {
			return errAt(s, "function %s: %v", name, err)
		}
		pl.funcs[name] = ext
		return nil
	}
	scope := &eval.Scope{Columns: cols, Clock: pl.clock, RowTime: pl.rowTime, Funcs: pl.lookupFunc}
	// The function is visible in its own body only once it exists; no recursion.
	body, bt, err := eval.Compile(s.Body, scope)
	if err != nil {
		return err
	}
	if !eval.CastAllowed(bt.Kind, rt.Kind) {
		return errAt(s.Body, "function %s returns %s but its body is %s", name, rt, bt)
	}
	strict := s.OnNull == "RETURNS NULL ON NULL INPUT"
	f.Call = func(args []eval.Value) (eval.Value, error) {
		if strict {
			for _, a := range args {
				if a.IsNull() {
					return eval.NullValue, nil
				}
			}
		}
		return body(eval.Row(args))
	}
	pl.funcs[name] = f
	return nil
}

func (pl *planner) lookupFunc(name string) (*eval.Func, bool) {
	f, ok := pl.funcs[name]
	if !ok {
		for n, g := range pl.funcs {
			if strings.EqualFold(n, name) {
				return g, true
			}
		}
	}
	return f, ok
}

func (pl *planner) rowTime() time.Time { return time.UnixMilli(pl.in.now).UTC() }

// scope makes the expression scope over cols.
func (pl *planner) scope(cols []eval.Column) *eval.Scope {
	s := &eval.Scope{Columns: cols, Clock: pl.clock, RowTime: pl.rowTime, Funcs: pl.lookupFunc}
	s.Subst = func(e parser.Expr) (int, bool) { return substColumn(s, e) }
	s.Extern = func(e parser.Expr) (eval.Evaluator, eval.Type, bool, error) { return pl.extern(s, e) }
	return s
}

// substColumn resolves what eval's exact lookup does not: the unqualified
// ROWTIME of a join, fields of parsed log rows (t.r.COLUMN1) and names that
// differ only in case.
func substColumn(s *eval.Scope, e parser.Expr) (int, bool) {
	c, ok := e.(*parser.ColumnRef)
	if !ok {
		return 0, false
	}
	cols := s.Columns
	if len(c.Parts) == 1 && c.Parts[0].Name == "ROWTIME" && len(cols) > 0 && cols[0].Name == "ROWTIME" {
		return 0, true
	}
	if len(c.Parts) <= 2 {
		if _, _, err := s.Resolve(c.Parts); err == nil {
			return 0, false
		}
	}
	find := func(match func(c eval.Column) bool) (int, bool) {
		found := -1
		for i, col := range cols {
			if col.Name != "" && match(col) {
				if found >= 0 {
					return 0, false
				}
				found = i
			}
		}
		return found, found >= 0
	}
	switch len(c.Parts) {
	case 3:
		q, name := c.Parts[0].Name, c.Parts[1].Name+"."+c.Parts[2].Name
		if i, ok := find(func(c eval.Column) bool { return c.Qualifier == q && c.Name == name }); ok {
			return i, true
		}
		return find(func(c eval.Column) bool { return equalFold(c.Qualifier, q) && equalFold(c.Name, name) })
	case 2:
		q, n := c.Parts[0].Name, c.Parts[1].Name
		if i, ok := find(func(c eval.Column) bool { return c.Name == q+"."+n }); ok {
			return i, true
		}
		if i, ok := find(func(c eval.Column) bool { return equalFold(c.Qualifier, q) && equalFold(c.Name, n) }); ok {
			return i, true
		}
		return find(func(c eval.Column) bool { return equalFold(c.Name, q+"."+n) })
	case 1:
		name := c.Parts[0].Name
		return find(func(c eval.Column) bool { return equalFold(c.Name, name) })
	}
	return 0, false
}

// extern compiles the fields of log-parsing rows: REGEX_LOG_PARSE(...).COLUMN1.
func (pl *planner) extern(s *eval.Scope, e parser.Expr) (eval.Evaluator, eval.Type, bool, error) {
	if c, ok := isMonotonic(e); ok {
		// MONOTONIC(x) is x; GROUP BY reads the promise.
		ev, t, err := eval.Compile(c.Args[0], s)
		return ev, t, err == nil, err
	}
	switch n := e.(type) {
	case *parser.InExpr:
		if n.Query != nil {
			return pl.inReference(s, n)
		}
	case *parser.FieldAccess:
		call, ok := isRowFunc(n.X)
		if !ok {
			return nil, eval.Type{}, false, nil
		}
		rf, err := pl.rowFunc(call, s)
		if err != nil {
			return nil, eval.Type{}, false, err
		}
		i := rf.field(n.Field.Name)
		if i < 0 {
			return nil, eval.Type{}, false, errAt(n, "%s has no column %s", call.Name.Name, n.Field.Name)
		}
		return func(row eval.Row) (eval.Value, error) {
			r, err := rf.eval(row)
			if err != nil {
				return eval.NullValue, err
			}
			return rf.value(r, i)
		}, rf.types[i], true, nil
	case *parser.FuncCall:
		if _, ok := isRowFunc(n); ok {
			return nil, eval.Type{}, false, errAt(n, "%s answers a row: select one of its columns (%s(...).COLUMN1) or give it an alias in a subquery", n.Name.Name, n.Name.Name)
		}
	}
	return nil, eval.Type{}, false, nil
}

func (pl *planner) rowFunc(call *parser.FuncCall, s *eval.Scope) (*rowFunc, error) {
	if rf, ok := pl.rfs[call]; ok {
		return rf, nil
	}
	rf, err := compileRowFunc(call, s)
	if err != nil {
		return nil, err
	}
	pl.rfs[call] = rf
	return rf, nil
}

// ---- INSERT and queries ----

func (pl *planner) planInsert(ins *parser.Insert) error {
	in := pl.in
	name := objName(ins.Target)
	target := in.lookupStream(name)
	if target == nil {
		return errAt(ins, "stream %s does not exist (declare it with CREATE STREAM)", name)
	}
	if target.input >= 0 || target == in.errStream {
		return errAt(ins, "cannot insert into %s", target.name)
	}
	cols, out, err := pl.planQuery(ins.Query)
	if err != nil {
		return err
	}
	// The query's data columns; an unaliased ROWTIME item is the row's
	// time unless the target has a column for it.
	var data []int
	for i := range cols {
		data = append(data, i)
	}
	want := len(target.cols)
	if ins.Columns != nil {
		want = len(ins.Columns)
	}
	if len(data) != want {
		data = data[:0]
		for i, c := range cols {
			if !c.rowtime {
				data = append(data, i)
			}
		}
	}
	if len(data) != want {
		return errAt(ins.Query, "INSERT INTO %s: the query has %d columns, the stream %d", target.name, len(data), want)
	}
	type mapping struct {
		src  int // query column, -1 for NULL
		cast bool
		t    eval.Type
	}
	maps := make([]mapping, len(target.cols))
	for i := range maps {
		maps[i] = mapping{src: -1, t: target.cols[i].Type}
	}
	for k, qi := range data {
		ti := k
		if ins.Columns != nil {
			ti = -1
			for j, c := range target.cols {
				if c.Name == ins.Columns[k].Name {
					ti = j
				}
			}
			if ti < 0 {
				return errAt(ins.Columns[k], "stream %s has no column %s", target.name, ins.Columns[k].Name)
			}
		}
		st, tt := cols[qi].typ, target.cols[ti].Type
		if st.Kind != eval.Null && !eval.CastAllowed(st.Kind, tt.Kind) {
			return errAt(ins.Query, "INSERT INTO %s: column %s is %s, the query gives %s", target.name, target.cols[ti].Name, tt, st)
		}
		maps[ti] = mapping{src: qi, t: tt, cast: needCast(st, tt)}
	}
	buf := make(eval.Row, len(target.cols))
	out.next = func(t int64, row eval.Row) error {
		for i, m := range maps {
			if m.src < 0 {
				buf[i] = eval.NullValue
				continue
			}
			v := row[1+m.src]
			if m.cast && !v.IsNull() {
				var err error
				if v, err = eval.Cast(v, m.t); err != nil {
					return fmt.Errorf("column %s: %w", target.cols[i].Name, err)
				}
			}
			buf[i] = v
		}
		return in.deliver(target, t, buf)
	}
	return nil
}

// needCast reports whether values of type from need converting to to.
func needCast(from, to eval.Type) bool {
	if from.Kind != to.Kind {
		return from.Kind != eval.Null
	}
	switch to.Kind {
	case eval.Char, eval.Varchar, eval.Varbinary:
		return to.Len > 0 && (from.Len == 0 || from.Len > to.Len || to.Kind == eval.Char)
	case eval.Decimal:
		return from.Scale != to.Scale || from.Len > to.Len
	}
	return false
}

func (pl *planner) planQuery(q parser.Query) ([]outCol, *outlet, error) {
	pl.depth++
	defer func() { pl.depth-- }()
	if pl.depth > 64 {
		return nil, nil, errAt(q, "queries nest too deeply (views referring to each other?)")
	}
	switch n := q.(type) {
	case *parser.Select:
		cols, out, err := pl.planSelect(n)
		if err != nil || len(n.OrderBy) == 0 {
			return cols, out, err
		}
		return pl.planOrder(n.OrderBy, n.Items, cols, out)
	case *parser.SetOp:
		if len(n.OrderBy) > 0 {
			inner := *n
			inner.OrderBy = nil
			cols, out, err := pl.planQuery(&inner)
			if err != nil {
				return nil, nil, err
			}
			return pl.planOrder(n.OrderBy, nil, cols, out)
		}
		if n.Op != "UNION" || !n.All {
			return nil, nil, errAt(n, "%s is not supported on streams; use UNION ALL", n.Op)
		}
		lc, lo, err := pl.planQuery(n.L)
		if err != nil {
			return nil, nil, err
		}
		rc, ro, err := pl.planQuery(n.R)
		if err != nil {
			return nil, nil, err
		}
		if len(lc) != len(rc) {
			return nil, nil, errAt(n, "UNION ALL: the left side has %d columns, the right %d", len(lc), len(rc))
		}
		out := &outlet{}
		cols := make([]outCol, len(lc))
		var conv []int
		for i := range lc {
			cols[i] = lc[i]
			cols[i].typ.NotNull = false
			if rc[i].typ.Kind != lc[i].typ.Kind && rc[i].typ.Kind != eval.Null && lc[i].typ.Kind != eval.Null {
				if !eval.CastAllowed(rc[i].typ.Kind, lc[i].typ.Kind) {
					return nil, nil, errAt(n, "UNION ALL: column %d is %s on the left and %s on the right", i+1, lc[i].typ, rc[i].typ)
				}
				conv = append(conv, i)
			}
		}
		lo.next = func(t int64, row eval.Row) error { return out.send(t, row) }
		if len(conv) == 0 {
			ro.next = func(t int64, row eval.Row) error { return out.send(t, row) }
		} else {
			buf := make(eval.Row, len(lc)+1)
			ro.next = func(t int64, row eval.Row) error {
				copy(buf, row)
				for _, i := range conv {
					if !buf[1+i].IsNull() {
						v, err := eval.Cast(buf[1+i], lc[i].typ)
						if err != nil {
							return err
						}
						buf[1+i] = v
					}
				}
				return out.send(t, buf)
			}
		}
		return cols, out, nil
	}
	return nil, nil, errAt(q, "unsupported query")
}

// ---- FROM ----

func (pl *planner) planFrom(te parser.TableExpr) (*source, error) {
	switch n := te.(type) {
	case *parser.TableRef:
		name := objName(n.Name)
		alias := name
		if n.Alias != nil {
			alias = n.Alias.Name
		}
		if v, ok := pl.views[name]; ok {
			cols, out, err := pl.planQuery(v.Query)
			if err != nil {
				return nil, err
			}
			names := v.Columns
			if n.AliasColumns != nil {
				names = n.AliasColumns
			}
			src, err := derivedSource(cols, out, alias, names, n)
			if err != nil {
				return nil, err
			}
			src.over = n.Over
			return src, nil
		}
		if rt := pl.lookupRef(name); rt != nil {
			cols := []eval.Column{{Qualifier: alias, Name: "", Type: eval.Type{Kind: eval.Timestamp}}}
			for i, c := range rt.cols {
				cn := c.Name
				if i < len(n.AliasColumns) {
					cn = n.AliasColumns[i].Name
				}
				cols = append(cols, eval.Column{Qualifier: alias, Name: cn, Type: c.Type})
			}
			return &source{cols: cols, ref: rt, over: n.Over}, nil
		}
		st := pl.in.lookupStream(name)
		if st == nil {
			return nil, errAt(n, "stream or table %s does not exist", name)
		}
		cols := []eval.Column{{Qualifier: alias, Name: "ROWTIME", Type: eval.Type{Kind: eval.Timestamp, NotNull: true}}}
		for i, c := range st.cols {
			cn := c.Name
			if i < len(n.AliasColumns) {
				cn = n.AliasColumns[i].Name
			}
			cols = append(cols, eval.Column{Qualifier: alias, Name: cn, Type: c.Type})
		}
		out := &outlet{}
		sub := &subscription{in: pl.in, pump: pl.pump, cols: cols, buf: make(eval.Row, len(cols)), errReader: st == pl.in.errStream}
		sub.next = func(t int64, row eval.Row) error { return out.send(t, row) }
		st.subs = append(st.subs, sub)
		return &source{cols: cols, out: out, over: n.Over, input: st.input >= 0}, nil
	case *parser.DerivedTable:
		cols, out, err := pl.planQuery(n.Query)
		if err != nil {
			return nil, err
		}
		alias := ""
		if n.Alias != nil {
			alias = n.Alias.Name
		}
		src, err := derivedSource(cols, out, alias, n.AliasColumns, n)
		if err != nil {
			return nil, err
		}
		src.over = n.Over
		return src, nil
	case *parser.TableFunction:
		return pl.planTableFunction(n)
	case *parser.Join:
		return pl.planJoin(n)
	}
	return nil, errAt(te, "unsupported FROM item")
}

func (pl *planner) lookupRef(name string) *refTable {
	if rt, ok := pl.refs[name]; ok {
		return rt
	}
	var found *refTable
	for n, rt := range pl.refs {
		if equalFold(n, name) {
			if found != nil {
				return nil
			}
			found = rt
		}
	}
	return found
}

// derivedSource makes the source of a query's rows: cols renamed by names
// (one per select item; the fields of a parsed log row keep their suffix).
func derivedSource(cols []outCol, out *outlet, alias string, names []parser.Ident, at parser.Node) (*source, error) {
	sc := []eval.Column{{Qualifier: alias, Name: "ROWTIME", Type: eval.Type{Kind: eval.Timestamp, NotNull: true}}}
	// Items: consecutive columns named p.F of one parsed row form one item.
	item, prev := -1, ""
	for _, c := range cols {
		prefix, field, isRow := strings.Cut(c.name, ".")
		if !isRow || prefix != prev {
			item++
		}
		prev = ""
		if isRow {
			prev = prefix
		}
		name := c.name
		if names != nil {
			if item >= len(names) {
				return nil, errAt(at, "%d column names given for %d columns", len(names), item+1)
			}
			name = names[item].Name
			if isRow {
				name += "." + field
			}
		}
		if c.rowtime {
			name = ""
		}
		sc = append(sc, eval.Column{Qualifier: alias, Name: name, Type: c.typ})
	}
	if names != nil && len(names) != item+1 {
		return nil, errAt(at, "%d column names given for %d columns", len(names), item+1)
	}
	tc := make([]bool, len(sc))
	tc[0] = true
	for i, c := range cols {
		tc[1+i] = c.isTime
	}
	return &source{cols: sc, out: out, timeCols: tc}, nil
}

// ---- SELECT ----

// planSelect plans one SELECT: a plain projection, a tumbling GROUP BY, a
// stagger window or sliding windows.
func (pl *planner) planSelect(sel *parser.Select) ([]outCol, *outlet, error) {
	if sel.From == nil {
		return nil, nil, errAt(sel, "a streaming query needs a FROM clause")
	}
	var src *source
	var err error
	saved := pl.windows
	pl.windows = sel.Windows
	defer func() { pl.windows = saved }()
	if tf, ok := sel.From.(*parser.TableFunction); ok && isWindowTVF(tf) {
		src, err = pl.planWindowTVF(tf)
	} else {
		src, err = pl.planFrom(sel.From)
	}
	if err != nil {
		return nil, nil, err
	}
	if src.ref != nil {
		return nil, nil, errAt(sel.From, "a streaming query must read a stream, not only the reference table %s", src.ref.name)
	}
	aggs := collectAggs(sel)
	if sel.Quantifier == "DISTINCT" && (sel.Stagger != nil || len(sel.GroupBy) > 0 || len(aggs) > 0 || hasOver(sel)) {
		return nil, nil, errAt(sel, "SELECT STREAM DISTINCT is only supported without GROUP BY and windows")
	}
	switch {
	case sel.Stagger != nil:
		return pl.planGrouped(sel, src, aggs)
	case len(sel.GroupBy) > 0 || len(aggs) > 0:
		return pl.planGrouped(sel, src, aggs)
	case hasOver(sel):
		return pl.planSliding(sel, src)
	}
	return pl.planPlain(sel, src)
}

func (pl *planner) planPlain(sel *parser.Select, src *source) ([]outCol, *outlet, error) {
	scope := pl.scope(src.cols)
	pl.timeOf[scope] = src.times()
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
	proj, cols, err := pl.projection(sel.Items, scope)
	if err != nil {
		return nil, nil, err
	}
	out := &outlet{}
	buf := make(eval.Row, len(cols)+1)
	var seen map[string]bool
	var seenAt int64
	var kb []byte
	if sel.Quantifier == "DISTINCT" {
		seen = map[string]bool{}
		pl.in.stateful = append(pl.in.stateful, &distinctState{seen: seen, at: &seenAt})
	}
	next := func(t int64, row eval.Row) error {
		if where != nil {
			v, err := where(row)
			if err != nil {
				return err
			}
			if v.IsNull() || !v.Bool() {
				return nil
			}
		}
		buf[0] = row[0]
		if err := proj.fill(buf[1:], row); err != nil {
			return err
		}
		if seen != nil {
			// Streaming DISTINCT: a row equal to one of the same ROWTIME
			// is dropped.
			if t != seenAt {
				clear(seen)
				seenAt = t
			}
			kb = window.AppendKey(kb[:0], buf[1:])
			if seen[string(kb)] {
				return nil
			}
			seen[string(kb)] = true
		}
		return out.send(t, buf)
	}
	if src.tvf != nil {
		if err := expandable(src, sel.From); err != nil {
			return nil, nil, err
		}
		next = pl.expandTVF(src, next)
	}
	src.out.next = next
	return cols, out, nil
}

// projector computes a select list into a row.
type projector struct {
	items []projItem
}

type projItem struct {
	ev  eval.Evaluator
	rf  *rowFunc
	col int // >= 0: the item is that column of the row (no call)
}

func (p *projector) fill(dst, row eval.Row) error {
	j := 0
	for _, it := range p.items {
		if it.col >= 0 && it.col < len(row) {
			dst[j] = row[it.col]
			j++
			continue
		}
		if it.rf == nil {
			v, err := it.ev(row)
			if err != nil {
				return err
			}
			dst[j] = v
			j++
			continue
		}
		r, err := it.rf.eval(row)
		if err != nil {
			return err
		}
		for i := range it.rf.cols {
			v, err := it.rf.value(r, i)
			if err != nil {
				return err
			}
			dst[j] = v
			j++
		}
	}
	return nil
}

// projection compiles a select list over scope.
func (pl *planner) projection(items []parser.SelectItem, scope *eval.Scope) (*projector, []outCol, error) {
	p := &projector{}
	var cols []outCol
	for k, it := range items {
		if st, ok := it.Expr.(*parser.Star); ok {
			q := ""
			if len(st.Qualifier) > 0 {
				q = st.Qualifier[len(st.Qualifier)-1].Name
			}
			n := 0
			for i, c := range scope.Columns {
				if c.Name == "" || c.Name == "ROWTIME" {
					continue
				}
				if q != "" && c.Qualifier != q && !equalFold(c.Qualifier, q) {
					continue
				}
				i := i
				p.items = append(p.items, projItem{ev: func(r eval.Row) (eval.Value, error) { return r[i], nil }, col: i})
				cols = append(cols, outCol{name: c.Name, typ: c.Type})
				n++
			}
			if n == 0 && q != "" {
				return nil, nil, errAt(st, "%s.* matches no columns", q)
			}
			continue
		}
		name := ""
		if it.Alias != nil {
			name = it.Alias.Name
		}
		if call, ok := isRowFunc(it.Expr); ok {
			rf, err := pl.rowFunc(call, scope)
			if err != nil {
				return nil, nil, err
			}
			if name == "" {
				name = "EXPR$" + strconv.Itoa(k)
			}
			p.items = append(p.items, projItem{rf: rf, col: -1})
			for i, c := range rf.cols {
				cols = append(cols, outCol{name: name + "." + c.Name, typ: rf.types[i]})
			}
			continue
		}
		ev, t, err := eval.Compile(it.Expr, scope)
		if err != nil {
			return nil, nil, err
		}
		rowtime := false
		if name == "" {
			switch e := it.Expr.(type) {
			case *parser.ColumnRef:
				name = e.Parts[len(e.Parts)-1].Name
				rowtime = name == "ROWTIME"
			case *parser.FieldAccess:
				name = e.Field.Name
			default:
				name = "EXPR$" + strconv.Itoa(k)
			}
		}
		isTime := false
		if c, ok := it.Expr.(*parser.ColumnRef); ok {
			if j, ok := resolveIn(scope, c); ok {
				tc := pl.timeOf[scope]
				isTime = j == 0 && len(scope.Columns) > 0 && scope.Columns[0].Name == "ROWTIME" || j < len(tc) && tc[j]
			}
		}
		// A plain column reference is read directly (eval resolves it
		// the same way: Subst first, then the scope's columns).
		col := -1
		if c, ok := it.Expr.(*parser.ColumnRef); ok {
			if scope.Subst != nil {
				if i, ok := scope.Subst(c); ok {
					col = i
				}
			}
			if col < 0 {
				if i, _, err := scope.Resolve(c.Parts); err == nil {
					col = i
				}
			}
		}
		p.items = append(p.items, projItem{ev: ev, col: col})
		cols = append(cols, outCol{name: name, typ: t, rowtime: rowtime, isTime: isTime})
	}
	return p, cols, nil
}

// times answers the source's time-column marks.
func (s *source) times() []bool {
	if s.timeCols != nil {
		return s.timeCols
	}
	tc := make([]bool, len(s.cols))
	tc[0] = true
	return tc
}

// isMonotonic reports whether e is MONOTONIC(x).
func isMonotonic(e parser.Expr) (*parser.FuncCall, bool) {
	c, ok := e.(*parser.FuncCall)
	return c, ok && c.Name.Name == "MONOTONIC" && c.Over == nil && len(c.Args) == 1
}

// distinctState is SELECT STREAM DISTINCT's rows of the current ROWTIME.
type distinctState struct {
	seen map[string]bool
	at   *int64
}

func (d *distinctState) appendState(b []byte) []byte {
	b = appendVarint(b, *d.at)
	keys := make([]string, 0, len(d.seen))
	for k := range d.seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return b
}

func (d *distinctState) readState(b []byte) ([]byte, error) {
	var err error
	if *d.at, b, err = readVarint(b); err != nil {
		return nil, err
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, errors.New("engine: corrupt DISTINCT state")
	}
	b = b[k:]
	clear(d.seen)
	for i := uint64(0); i < n; i++ {
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return nil, errors.New("engine: corrupt DISTINCT state")
		}
		d.seen[string(b[k:k+int(l)])] = true
		b = b[k+int(l):]
	}
	return b, nil
}

// inReference compiles x [NOT] IN (SELECT col FROM reference_table [WHERE
// ...]): the subquery runs once, when the application is planned (reference
// tables do not change while it runs).
func (pl *planner) inReference(s *eval.Scope, n *parser.InExpr) (eval.Evaluator, eval.Type, bool, error) {
	sel, ok := n.Query.(*parser.Select)
	var tr *parser.TableRef
	if ok {
		tr, ok = sel.From.(*parser.TableRef)
	}
	var rt *refTable
	if ok {
		rt = pl.lookupRef(objName(tr.Name))
	}
	if !ok || rt == nil || len(sel.Items) != 1 || sel.GroupBy != nil || sel.Having != nil {
		return nil, eval.Type{}, false, errAt(n, "IN (subquery) is supported over a reference table only: x IN (SELECT col FROM table [WHERE ...])")
	}
	alias := rt.name
	if tr.Alias != nil {
		alias = tr.Alias.Name
	}
	cols := []eval.Column{{Qualifier: alias, Type: eval.Type{Kind: eval.Timestamp}}}
	for _, c := range rt.cols {
		cols = append(cols, eval.Column{Qualifier: alias, Name: c.Name, Type: c.Type})
	}
	rs := pl.scope(cols)
	item, _, err := eval.Compile(sel.Items[0].Expr, rs)
	if err != nil {
		return nil, eval.Type{}, false, err
	}
	var where eval.Evaluator
	if sel.Where != nil {
		if where, _, err = eval.Compile(sel.Where, rs); err != nil {
			return nil, eval.Type{}, false, err
		}
	}
	var vals []eval.Value
	sawNull := false
	for _, row := range rt.rows {
		if where != nil {
			v, err := where(row)
			if err != nil {
				return nil, eval.Type{}, false, errAt(n, "%v", err)
			}
			if v.IsNull() || !v.Bool() {
				continue
			}
		}
		v, err := item(row)
		if err != nil {
			return nil, eval.Type{}, false, errAt(n, "%v", err)
		}
		if v.IsNull() {
			sawNull = true
			continue
		}
		vals = append(vals, v)
	}
	x, _, err := eval.Compile(n.X, s)
	if err != nil {
		return nil, eval.Type{}, false, err
	}
	not := n.Not
	return func(row eval.Row) (eval.Value, error) {
		v, err := x(row)
		if err != nil || v.IsNull() {
			return eval.NullValue, err
		}
		for _, w := range vals {
			if c, err := eval.Compare(v, w); err == nil && c == 0 {
				return eval.Bool(!not), nil
			}
		}
		if sawNull {
			return eval.NullValue, nil
		}
		return eval.Bool(not), nil
	}, eval.Type{Kind: eval.Boolean}, true, nil
}
